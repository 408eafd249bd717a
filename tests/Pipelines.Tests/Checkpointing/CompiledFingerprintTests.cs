using Pipelines.FaultApp;
using Pipelines.Testing;

namespace Pipelines.Tests.Checkpointing;

public sealed class CompiledFingerprintTests
{
    [Fact]
    public void A_generated_Compile_registers_its_definitions_fingerprint_with_the_context()
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = new ManualClock() });

        FaultWordCounts.Compile(context.QueueStream<string>([]));

        Assert.Equal(FaultWordCounts.DefineFingerprint, context.RegisteredPipelines["FaultWordCounts.Define"]);
    }

    [Fact]
    public void Compiling_the_same_definition_twice_on_one_context_is_allowed()
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = new ManualClock() });

        FaultWordCounts.Compile(context.QueueStream<string>([]));
        FaultWordCounts.Compile(context.QueueStream<string>([]));

        Assert.Single(context.RegisteredPipelines);
    }
}
