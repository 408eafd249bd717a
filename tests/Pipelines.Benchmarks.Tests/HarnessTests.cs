using Pipelines.Benchmarks.Harness;

namespace Pipelines.Benchmarks.Tests;

/// <summary>The harness itself: the agreement check rejects a wrong contender, and pipeline runs report failures.</summary>
public sealed class HarnessTests
{
    [Fact]
    public void Agreement_names_the_contender_that_disagrees()
    {
        Contender<long>[] contenders = [new("right", () => 42), new("also right", () => 42), new("fast but wrong", () => 41)];

        var error = Assert.Throws<InvalidOperationException>(() => Agreement.Require("W0", contenders));

        Assert.Contains("fast but wrong", error.Message);
        Assert.Contains("41", error.Message);
    }

    [Fact]
    public void Agreement_returns_the_agreed_result()
    {
        Contender<long>[] contenders = [new("a", () => 42), new("b", () => 42)];

        Assert.Equal(42, Agreement.Require("W0", contenders));
    }

    [Fact]
    public void Pipeline_run_returns_each_batch_of_a_repeated_input()
    {
        using var run = new PipelineRun<int, int>(
            context => PipelineInputs.Repeat(context, [1, 2, 3]).Map(x => x * 2), batch => batch.Span.ToArray().Sum());

        Assert.Equal(12, run.Step());
        Assert.Equal(12, run.Step());
    }

    [Fact]
    public void Pipeline_run_throws_when_an_operator_fails_instead_of_waiting()
    {
        using var run = new PipelineRun<int, int>(
            context => PipelineInputs.Repeat(context, [1, 0]).Map(x => 10 / x), batch => batch.Count);

        var error = Assert.Throws<InvalidOperationException>(() => run.Step());

        Assert.IsType<StreamingOperatorException>(error.InnerException);
    }

    [Fact]
    public void Keyed_checksum_changes_when_a_pair_moves_to_another_batch()
    {
        var first = new KeyedChecksum();
        first.Add(0, 5, 3);
        var second = new KeyedChecksum();
        second.Add(1, 5, 3);

        Assert.NotEqual(first.Value, second.Value);
    }
}
