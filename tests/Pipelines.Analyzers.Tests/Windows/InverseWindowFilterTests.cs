using Verifier = Pipelines.Analyzers.Tests.Infrastructure.Verify<Pipelines.Analyzers.Windows.InverseWindowFilterAnalyzer>;

namespace Pipelines.Analyzers.Tests.Windows;

public class InverseWindowFilterTests
{
    [Fact]
    public Task Inverse_reduce_without_a_filter_is_reported_at_the_operator_name() =>
        Verifier.AnalyzerAsync("""
            using System;
            using Pipelines;

            public static class Job
            {
                public static DStream<(string Key, int Value)> Define(DStream<(string Key, int Value)> pairs) =>
                    pairs.{|#0:ReduceByKeyAndWindow|}((a, b) => a + b, (a, b) => a - b, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10));

                public static DStream<(string Key, int Value)> Named(DStream<(string Key, int Value)> pairs) =>
                    pairs.{|PIPE009:ReduceByKeyAndWindow|}(reducer: (a, b) => a + b, inverseReducer: (a, b) => a - b, windowDuration: TimeSpan.FromSeconds(30), filter: null);
            }
            """,
            Verifier.Diagnostic(DiagnosticDescriptors.InverseWindowWithoutFilter).WithLocation(0));

    [Fact]
    public Task A_filter_or_no_inverse_is_not_reported() =>
        Verifier.AnalyzerAsync("""
            using System;
            using Pipelines;

            public static class Job
            {
                public static DStream<(string Key, int Value)> Filtered(DStream<(string Key, int Value)> pairs) =>
                    pairs.ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10), p => p.Value != 0);

                public static DStream<(string Key, int Value)> Recomputed(DStream<(string Key, int Value)> pairs) =>
                    pairs.ReduceByKeyAndWindow((a, b) => a + b, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10));

                public static DStream<int> NotKeyed(DStream<int> numbers) =>
                    numbers.ReduceByWindow((a, b) => a + b, (a, b) => a - b, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10));
            }
            """);
}
