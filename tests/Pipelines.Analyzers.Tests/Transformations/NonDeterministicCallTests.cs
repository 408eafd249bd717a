using Verifier = Pipelines.Analyzers.Tests.Infrastructure.Verify<Pipelines.Analyzers.Transformations.TransformationBodyAnalyzer>;

namespace Pipelines.Analyzers.Tests.Transformations;

public class NonDeterministicCallTests
{
    [Fact]
    public Task Clock_guid_and_random_calls_in_transformations_are_reported() =>
        Verifier.AnalyzerAsync("""
            using System;
            using System.Diagnostics;
            using System.Linq;
            using Pipelines;

            public static class Job
            {
                private static readonly Random Shared = new(7);

                public static void Run(DStream<string> lines)
                {
                    lines.Map(l => (l, {|#0:DateTime.Now|})).Print();
                    lines.Map(l => l + {|PIPE006:Guid.NewGuid()|}).Print();
                    lines.Filter(l => {|PIPE006:new Random()|}.Next(2) == 0).Print();
                    lines.Filter(l => {|PIPE006:Random.Shared|}.NextDouble() > 0.5).Print();
                    lines.Filter(l => {|PIPE006:Shared.Next(2)|} == 0).Print();
                    lines.Map(l => {|PIPE006:Environment.TickCount64|}).Print();
                    lines.Map(l => {|PIPE006:Stopwatch.GetTimestamp()|}).Print();
                    lines.Map(l => {|PIPE006:DateTimeOffset.UtcNow|}.ToUnixTimeMilliseconds()).Print();
                    lines.FlatMap(l => l.Split(' ').Select(w => w + {|PIPE006:DateTime.UtcNow|}.Ticks)).Print();
                    lines.Map(l => (l, 1)).ReduceByKey((a, b) => a + b + {|PIPE006:TimeProvider.System.GetUtcNow()|}.Second).Print();
                    lines.Transform((batch, time) => batch.Select(l => l + {|PIPE006:DateTime.Today|})).Print();
                    lines.Map(l => (l, 1)).MapWithState(StateSpec.Function((string word, Optional<int> one, State<long> state) =>
                    {
                        state.Update({|PIPE006:DateTime.UtcNow|}.Ticks);
                        return word;
                    })).Print();
                }
            }
            """,
            Verifier.Diagnostic(DiagnosticDescriptors.NonDeterministicCall).WithLocation(0).WithArguments("DateTime.Now"));

    [Fact]
    public Task Outputs_code_outside_transformations_the_batch_time_and_seeded_randoms_are_not_reported() =>
        Verifier.AnalyzerAsync("""
            using System;
            using System.Linq;
            using Pipelines;

            public static class Job
            {
                public static void Run(DStream<string> lines)
                {
                    var started = DateTime.UtcNow;
                    var id = Guid.NewGuid();
                    lines.ForEachBatch((batch, time) => Console.WriteLine($"{DateTime.Now} {batch.Count} {Guid.NewGuid()}"));
                    lines.Transform((batch, time) => batch.Select(l => l + time)).Print();
                    lines.Map(l => new Random(l.Length).Next(10)).Print();
                    lines.Map(l => { var random = new Random(42); return random.Next(10); }).Print();
                    lines.Map(l => l + DateTime.MinValue + DateTime.Parse("2024-01-01").Ticks).Print();
                    Func<string, DateTime> stamp = l => DateTime.Now;
                }
            }
            """);
}
