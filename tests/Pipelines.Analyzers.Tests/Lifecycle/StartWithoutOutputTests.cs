using Verifier = Pipelines.Analyzers.Tests.Infrastructure.Verify<Pipelines.Analyzers.Lifecycle.StartWithoutOutputAnalyzer>;

namespace Pipelines.Analyzers.Tests.Lifecycle;

public class StartWithoutOutputTests
{
    [Fact]
    public Task Start_with_no_output_in_the_method_is_reported_at_the_call() =>
        Verifier.AnalyzerAsync("""
            using System;
            using Pipelines;

            public static class Job
            {
                public static void Run()
                {
                    var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
                    var lines = ssc.QueueStream(new[] { new[] { "a b" } });
                    var words = lines.FlatMap(l => l.Split(' '));
                    {|#0:ssc.Start()|};
                }
            }
            """,
            Verifier.Diagnostic(DiagnosticDescriptors.StartWithoutOutput).WithLocation(0).WithArguments("ssc"));

    [Fact]
    public Task Start_in_top_level_statements_with_no_output_is_reported() =>
        Verifier.ProgramAsync("""
            using System;
            using Pipelines;

            await using var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
            var counts = ssc.QueueStream(new[] { new[] { 1, 2 } }).Count();
            {|PIPE004:ssc.Start()|};
            await ssc.AwaitTerminationAsync();
            """);

    [Fact]
    public Task Start_after_an_output_is_registered_is_not_reported() =>
        Verifier.AnalyzerAsync("""
            using System;
            using Pipelines;

            public static class Job
            {
                public static void Printed()
                {
                    var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
                    ssc.QueueStream(new[] { new[] { "a" } }).Print();
                    ssc.Start();
                }

                public static void ForEach()
                {
                    var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
                    var lines = ssc.QueueStream(new[] { new[] { "a" } });
                    lines.ForEachBatch((batch, time) => Console.WriteLine(batch.Count));
                    ssc.Start();
                }

                public static void Saved()
                {
                    var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
                    ssc.QueueStream(new[] { new[] { "a" } }).Map(l => l.ToUpperInvariant()).SaveAsTextFiles("out/words", "txt");
                    ssc.Start();
                }
            }
            """);

    [Fact]
    public Task Contexts_and_streams_handled_elsewhere_are_not_reported() =>
        Verifier.AnalyzerAsync("""
            using System;
            using Pipelines;

            public static class Job
            {
                // The context comes from elsewhere: its outputs may be registered there.
                public static void StartGiven(StreamingContext ssc) => ssc.Start();

                // A user method may register the outputs.
                public static void Helpers()
                {
                    var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
                    var lines = ssc.QueueStream(new[] { new[] { "a" } });
                    RegisterOutputs(lines);
                    ssc.Start();
                }

                public static void ContextHandedOff()
                {
                    var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
                    Build(ssc);
                    ssc.Start();
                }

                // An object that registers the outputs, or a field other code reads.
                public static void Collector()
                {
                    var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
                    _ = new Printer<string>(ssc.QueueStream(new[] { new[] { "a" } }));
                    ssc.Start();
                }

                private static DStream<int>? s_numbers;

                public static void Stored()
                {
                    var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
                    s_numbers = ssc.QueueStream(new[] { new[] { 1 } });
                    ssc.Start();
                }

                private static void RegisterOutputs(DStream<string> lines) => lines.Print();

                private static void Build(StreamingContext ssc) => ssc.QueueStream(new[] { new[] { 1 } }).Print();
            }

            public sealed class Printer<T>
            {
                public Printer(DStream<T> stream) => stream.Print();
            }
            """);
}
