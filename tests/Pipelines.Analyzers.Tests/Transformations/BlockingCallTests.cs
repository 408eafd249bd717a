using Verifier = Pipelines.Analyzers.Tests.Infrastructure.Verify<Pipelines.Analyzers.Transformations.TransformationBodyAnalyzer>;

namespace Pipelines.Analyzers.Tests.Transformations;

public class BlockingCallTests
{
    [Fact]
    public Task Sleep_wait_result_and_GetResult_in_transformations_are_reported() =>
        Verifier.AnalyzerAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Pipelines;

            public static class Job
            {
                private static Task<int> LookupAsync(string key) => Task.FromResult(key.Length);

                public static void Run(DStream<string> lines)
                {
                    lines.Map(l => { {|#0:Thread.Sleep(10)|}; return l; }).Print();
                    lines.Map(l => {|PIPE007:LookupAsync(l).Result|}).Print();
                    lines.Map(l => {|PIPE007:LookupAsync(l).GetAwaiter().GetResult()|}).Print();
                    lines.Map(l => {|PIPE007:LookupAsync(l).ConfigureAwait(false).GetAwaiter().GetResult()|}).Print();
                    lines.Filter(l => { var t = LookupAsync(l); {|PIPE007:t.Wait()|}; return true; }).Print();
                    lines.Map(l => (l, 1)).MapValues(v => {|PIPE007:Task.FromResult(v).Result|}).Print();
                }
            }
            """,
            Verifier.Diagnostic(DiagnosticDescriptors.BlockingCall).WithLocation(0).WithArguments("Thread.Sleep"));

    [Fact]
    public Task Blocking_outside_transformations_and_awaits_in_async_outputs_are_not_reported() =>
        Verifier.AnalyzerAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Pipelines;

            public static class Job
            {
                public static void Run(DStream<string> lines)
                {
                    var warmup = Task.FromResult(1).Result;
                    Thread.Sleep(1);
                    lines.ForEachBatch((batch, time) => Thread.Sleep(1));
                    lines.ForEachBatch(async (batch, time, ct) => await Task.Delay(1, ct));
                    lines.Map(l => Task.FromResult(l)).Print();
                }
            }
            """);
}
