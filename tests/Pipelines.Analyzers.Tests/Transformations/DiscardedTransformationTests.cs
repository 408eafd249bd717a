using Pipelines.Analyzers.CodeFixes;
using Verifier = Pipelines.Analyzers.Tests.Infrastructure.Verify<Pipelines.Analyzers.Transformations.DiscardedTransformationAnalyzer>;

namespace Pipelines.Analyzers.Tests.Transformations;

public class DiscardedTransformationTests
{
    [Fact]
    public Task Transformation_used_as_a_statement_is_reported_at_the_call() =>
        Verifier.AnalyzerAsync("""
            using System;
            using Pipelines;

            public static class Job
            {
                public static void Run(DStream<string> lines, DStream<(string Key, int Value)> pairs)
                {
                    {|#0:lines.Filter(l => l.Length > 0)|};
                    {|PIPE005:pairs.ReduceByKey((a, b) => a + b)|};
                    {|PIPE005:lines.Map(l => l.Length).Window(TimeSpan.FromSeconds(2))|};
                    {|PIPE005:lines.CountByValue()|};
                    lines.Print();
                }
            }
            """,
            Verifier.Diagnostic(DiagnosticDescriptors.DiscardedTransformation).WithLocation(0).WithArguments("Filter"));

    [Fact]
    public Task Used_results_outputs_discards_and_other_methods_are_not_reported() =>
        Verifier.AnalyzerAsync("""
            using System;
            using System.Collections.Generic;
            using Pipelines;

            public static class Job
            {
                public static DStream<int> Run(DStream<string> lines, StreamingContext ssc)
                {
                    var lengths = lines.Map(l => l.Length);
                    _ = lines.Filter(l => l.Length > 0);
                    lengths.Print();
                    lengths.ForEachBatch((batch, time) => { });
                    ssc.QueueStream(new[] { new[] { 1 } });
                    Helper(lines);
                    var list = new List<int>();
                    list.Add(1);
                    return lengths.Map(x => x + 1);
                }

                private static DStream<string> Helper(DStream<string> lines) => lines;
            }
            """);

    [Fact]
    public Task Code_fix_assigns_the_result_to_the_local_the_chain_starts_from() =>
        Verifier.CodeFixAsync<ReassignTransformationCodeFix>(
            """
            using Pipelines;

            public static class Job
            {
                public static void Run(DStream<string> lines)
                {
                    var words = lines.FlatMap(l => l.Split(' '));
                    {|PIPE005:words.Filter(w => w.Length > 3).Map(w => w.ToUpperInvariant())|};
                    {|PIPE005:lines.Filter(l => l.Length > 0)|};
                    words.Print();
                    lines.Print();
                }
            }
            """,
            """
            using Pipelines;

            public static class Job
            {
                public static void Run(DStream<string> lines)
                {
                    var words = lines.FlatMap(l => l.Split(' '));
                    words = words.Filter(w => w.Length > 3).Map(w => w.ToUpperInvariant());
                    lines = lines.Filter(l => l.Length > 0);
                    words.Print();
                    lines.Print();
                }
            }
            """);

    [Fact]
    public Task Code_fix_is_not_offered_when_the_result_does_not_fit_the_local() =>
        Verifier.NoCodeFixAsync<ReassignTransformationCodeFix>("""
            using Pipelines;

            public static class Job
            {
                private static DStream<string> Source => null!;

                public static void Run(DStream<string> lines)
                {
                    {|PIPE005:lines.Map(l => l.Length)|};
                    {|PIPE005:Source.Filter(l => l.Length > 0)|};
                }
            }
            """);
}
