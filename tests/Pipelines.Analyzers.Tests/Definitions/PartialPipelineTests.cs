using Pipelines.Analyzers.CodeFixes;
using Pipelines.Analyzers.Definitions;
using Verifier = Pipelines.Analyzers.Tests.Infrastructure.Verify<Pipelines.Analyzers.Definitions.PartialPipelineAnalyzer>;

namespace Pipelines.Analyzers.Tests.Definitions;

public class PartialPipelineTests
{
    [Fact]
    public Task Pipeline_class_that_is_not_partial_is_reported_at_its_name() =>
        Verifier.AnalyzerAsync("""
            using Pipelines;

            [StreamingPipeline]
            public static class {|#0:WordCount|}
            {
                public static DStream<int> Define(DStream<string> lines) => lines.Map(line => line.Length);
            }
            """,
            Verifier.Diagnostic(DiagnosticDescriptors.PipelineClassNotPartial).WithLocation(0).WithArguments("WordCount", ""));

    [Fact]
    public Task Type_containing_a_pipeline_class_that_is_not_partial_is_reported() =>
        Verifier.AnalyzerAsync("""
            using Pipelines;

            public class {|#0:Jobs|}
            {
                [StreamingPipeline]
                public static partial class WordCount { }
            }
            """,
            Verifier.Diagnostic(DiagnosticDescriptors.PipelineClassNotPartial)
                .WithLocation(0).WithArguments("Jobs", " (it contains the pipeline class 'WordCount')"));

    [Fact]
    public Task Every_non_partial_type_in_the_chain_is_reported() =>
        Verifier.AnalyzerAsync("""
            using Pipelines;

            public static class {|PIPE001:Outer|}
            {
                public static partial class Middle
                {
                    [StreamingPipeline]
                    public static class {|PIPE001:WordCount|} { }
                }
            }
            """);

    [Fact]
    public Task Partial_pipeline_classes_and_ordinary_classes_are_not_reported() =>
        Verifier.AnalyzerAsync("""
            using Pipelines;

            [StreamingPipeline]
            public static partial class WordCount { }

            public static partial class Outer
            {
                [StreamingPipeline]
                internal partial class Nested { }
            }

            public class NotAPipeline
            {
                public class Inner { }
            }

            public record Key(string Name);
            """);

    [Fact]
    public Task Code_fix_adds_partial_before_the_type_keyword() =>
        Verifier.CodeFixAsync<AddPartialCodeFix>(
            """
            using Pipelines;

            [StreamingPipeline]
            public static class {|PIPE001:WordCount|}
            {
            }
            """,
            """
            using Pipelines;

            [StreamingPipeline]
            public static partial class WordCount
            {
            }
            """);

    [Fact]
    public Task Code_fix_adds_partial_to_a_type_without_modifiers_and_to_its_container() =>
        Verifier.CodeFixAsync<AddPartialCodeFix>(
            """
            using Pipelines;

            namespace Jobs
            {
                class {|PIPE001:Outer|}
                {
                    [StreamingPipeline]
                    class {|PIPE001:Counts|} { }
                }
            }
            """,
            """
            using Pipelines;

            namespace Jobs
            {
                partial class Outer
                {
                    [StreamingPipeline]
                    partial class Counts { }
                }
            }
            """);
}
