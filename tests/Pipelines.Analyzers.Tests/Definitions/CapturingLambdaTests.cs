using Pipelines.Analyzers.CodeFixes;
using Verifier = Pipelines.Analyzers.Tests.Infrastructure.Verify<Pipelines.Analyzers.Definitions.CapturingLambdaAnalyzer>;

namespace Pipelines.Analyzers.Tests.Definitions;

public class CapturingLambdaTests
{
    [Fact]
    public Task Lambda_capturing_a_local_is_reported_at_the_captured_variable() =>
        Verifier.AnalyzerAsync("""
            using Pipelines;

            [StreamingPipeline]
            public static partial class Scaling
            {
                public static DStream<int> Define(DStream<int> numbers)
                {
                    var factor = System.Environment.ProcessorCount;
                    return numbers.Map(x => x * {|#0:factor|});
                }
            }
            """,
            Verifier.Diagnostic(DiagnosticDescriptors.LambdaCapturesVariable).WithLocation(0).WithArguments("factor", "Define"));

    [Fact]
    public Task Lambda_capturing_a_parameter_of_the_definition_is_reported() =>
        Verifier.AnalyzerAsync("""
            using Pipelines;

            [StreamingPipeline]
            public static partial class Thresholds
            {
                public static DStream<int> DefineAbove(DStream<int> numbers, int threshold) =>
                    numbers.Filter(x => x > {|PIPE002:threshold|}).Map(x => x + 1);
            }
            """);

    [Fact]
    public Task Each_captured_variable_is_reported_once_per_lambda() =>
        Verifier.AnalyzerAsync("""
            using Pipelines;

            [StreamingPipeline]
            public static partial class Pairs
            {
                public static DStream<(string Key, int Value)> Define(DStream<string> words, string prefix, int weight) =>
                    words.Map(w => ({|PIPE002:prefix|} + w + prefix, {|PIPE002:weight|}))
                         .ReduceByKey((a, b) => a + b + {|PIPE002:weight|});
            }
            """);

    [Fact]
    public Task Lambda_nested_in_an_operator_lambda_capturing_its_parameter_is_reported_at_the_capture() =>
        Verifier.AnalyzerAsync("""
            using System.Linq;
            using Pipelines;

            [StreamingPipeline]
            public static partial class Expand
            {
                public static DStream<int> Define(DStream<int> numbers) =>
                    numbers.FlatMap(x => Enumerable.Range(0, x).Select(i => i + {|#0:x|}));
            }
            """,
            Verifier.Diagnostic(DiagnosticDescriptors.LambdaCapturesVariable).WithLocation(0).WithArguments("x", "Define"));

    [Fact]
    public Task A_runtime_operator_gets_its_lambda_as_written_so_only_outside_variables_count() =>
        Verifier.AnalyzerAsync("""
            using System;
            using System.Linq;
            using Pipelines;

            [StreamingPipeline]
            public static partial class Stamped
            {
                public static DStream<string> DefineStamped(DStream<string> lines) =>
                    lines.Transform((batch, time) => batch.Select(l => l + "@" + time.Milliseconds)).Map(s => s.Trim());

                public static DStream<(string Key, int Value)> DefineWindow(DStream<(string Key, int Value)> pairs) =>
                    pairs.ReduceByKeyAndWindow((a, b) => new[] { a }.Sum(x => x + b), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(2));

                public static DStream<string> DefineSuffixed(DStream<string> lines, string suffix) =>
                    lines.Transform(batch => batch.Select(l => l + {|PIPE002:suffix|}));
            }
            """);

    [Fact]
    public Task Constants_statics_and_the_lambdas_own_variables_are_not_captures() =>
        Verifier.AnalyzerAsync("""
            using System.Linq;
            using Pipelines;

            [StreamingPipeline]
            public static partial class Clean
            {
                private static readonly int Offset = 3;
                private const int Scale = 2;

                public static DStream<int> Define(DStream<int> numbers)
                {
                    const int limit = 100;
                    return numbers
                        .Map(x => x * Scale + Offset)
                        .Filter(x => x < limit)
                        .FlatMap(x => Enumerable.Range(0, x).Select(i => i * Scale))
                        .Map(x => { var y = x + 1; return y * y; });
                }
            }
            """);

    [Fact]
    public Task Captures_outside_pipeline_definitions_are_not_reported() =>
        Verifier.AnalyzerAsync("""
            using System;
            using Pipelines;

            public static class NotAPipeline
            {
                public static DStream<int> Define(DStream<int> numbers, int factor) => numbers.Map(x => x * factor);
            }

            [StreamingPipeline]
            public static partial class Pipeline
            {
                // Not a definition: the name does not start with Define, or it is not public static.
                public static DStream<int> Build(DStream<int> numbers, int factor) => numbers.Map(x => x * factor);

                internal static DStream<int> DefineInternal(DStream<int> numbers, int factor) => numbers.Map(x => x * factor);

                // A lambda that is not an operator argument is not inlined by the generator either way.
                public static DStream<int> DefineWithDelegate(DStream<int> numbers, int factor)
                {
                    Func<int, int> scale = x => x * factor;
                    return numbers.Map(scale);
                }
            }
            """);

    [Fact]
    public Task Code_fix_makes_a_constant_local_const() =>
        Verifier.CodeFixAsync<MakeConstCodeFix>(
            """
            using Pipelines;

            [StreamingPipeline]
            public static partial class Scaling
            {
                public static DStream<string> Define(DStream<int> numbers)
                {
                    var factor = 3;
                    string suffix = "!";
                    return numbers.Map(x => x * {|PIPE002:factor|}).Map(x => x + {|PIPE002:suffix|});
                }
            }
            """,
            """
            using Pipelines;

            [StreamingPipeline]
            public static partial class Scaling
            {
                public static DStream<string> Define(DStream<int> numbers)
                {
                    const int factor = 3;
                    const string suffix = "!";
                    return numbers.Map(x => x * factor).Map(x => x + suffix);
                }
            }
            """);

    [Fact]
    public Task Code_fix_is_not_offered_for_parameters_reassigned_locals_or_non_constant_values() =>
        Verifier.NoCodeFixAsync<MakeConstCodeFix>("""
            using System;
            using Pipelines;

            [StreamingPipeline]
            public static partial class Scaling
            {
                public static DStream<int> Define(DStream<int> numbers, int offset)
                {
                    var factor = 3;
                    factor++;
                    var now = Environment.ProcessorCount;
                    var span = TimeSpan.FromSeconds(1);
                    return numbers.Map(x => x * {|PIPE002:factor|} + {|PIPE002:offset|} + {|PIPE002:now|} + {|PIPE002:span|}.Seconds);
                }
            }
            """);
}
