using Verifier = Pipelines.Analyzers.Tests.Infrastructure.Verify<Pipelines.Analyzers.Lifecycle.OperationAfterStartAnalyzer>;

namespace Pipelines.Analyzers.Tests.Lifecycle;

public class OperationAfterStartTests
{
    [Fact]
    public Task Operator_after_Start_is_reported_once_per_chain_at_its_first_operator() =>
        Verifier.AnalyzerAsync("""
            using System;
            using Pipelines;

            public static class Job
            {
                public static void Run()
                {
                    var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
                    var lines = ssc.QueueStream(new[] { new[] { "a b" } });
                    lines.Print();
                    ssc.Start();
                    lines.{|#0:Map|}(l => l.Length).Filter(n => n > 0).Print();
                }
            }
            """,
            Verifier.Diagnostic(DiagnosticDescriptors.OperationAfterStart).WithLocation(0).WithArguments("Map", "ssc"));

    [Fact]
    public Task Outputs_and_inputs_added_after_Start_are_reported() =>
        Verifier.ProgramAsync("""
            using System;
            using Pipelines;

            await using var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
            var lines = ssc.QueueStream(new[] { new[] { "a" } });
            var upper = lines.Map(l => l.ToUpperInvariant());
            upper.Print();
            ssc.Start();
            upper.{|PIPE010:ForEachBatch|}((batch, time) => { });
            var more = ssc.{|PIPE010:QueueStream|}(new[] { new[] { "b" } }).Map(l => l + "!");
            await ssc.AwaitTerminationAsync();
            """);

    [Fact]
    public Task Operations_before_Start_in_lambdas_on_other_paths_or_other_contexts_are_not_reported() =>
        Verifier.AnalyzerAsync("""
            using System;
            using System.Threading.Tasks;
            using Pipelines;

            public static class Job
            {
                public static async Task Run(bool start, DStream<int> external)
                {
                    var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
                    var lines = ssc.QueueStream(new[] { new[] { "a" } });
                    lines.Map(l => l.Length).Print();
                    if (start)
                    {
                        ssc.Start();
                    }
                    else
                    {
                        lines.Filter(l => l.Length > 1).Print();
                    }

                    Func<DStream<int>> later = () => lines.Map(l => l.Length);

                    var other = new StreamingContext(TimeSpan.FromSeconds(1));
                    var otherLines = other.QueueStream(new[] { new[] { 1 } });
                    ssc.Start();
                    otherLines.Map(x => x + 1).Print();
                    external.Map(x => x + 1).Print();
                    var slice = lines.Slice(new BatchTime(0), new BatchTime(1000));
                    other.Start();
                    await ssc.StopAsync();
                }

                public static async Task Restart()
                {
                    var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
                    ssc.QueueStream(new[] { new[] { 1 } }).Print();
                    ssc.Start();
                    await ssc.StopAsync();

                    // A new context in the same variable: building its graph before its own Start is fine.
                    ssc = new StreamingContext(TimeSpan.FromSeconds(1));
                    ssc.QueueStream(new[] { new[] { 2 } }).Map(x => x + 1).Print();
                    ssc.Start();
                }
            }
            """);
}
