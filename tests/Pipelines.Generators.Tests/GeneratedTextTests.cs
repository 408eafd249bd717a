using Microsoft.CodeAnalysis;
using Pipelines.Generators.Tests.Support;

namespace Pipelines.Generators.Tests;

/// <summary>What user text and user names become in the generated file.</summary>
public sealed class GeneratedTextTests
{
    [Fact]
    public void A_multi_line_expression_in_a_fallback_reason_stays_on_one_escaped_comment_line()
    {
        const string source = """
            using Pipelines;

            namespace Demo;

            [StreamingPipeline]
            public static partial class Lines
            {
                public static DStream<int> DefinePicked(DStream<int> numbers) =>
                    (numbers.SlideDuration.Ticks < 0
                        ? numbers
                        : Identity<int>(numbers)).Map(n => n & 1);

                private static DStream<T> Identity<T>(DStream<T> stream) => stream;
            }
            """;

        var (result, diagnostics) = GeneratorHarness.Run(source);

        Assert.Empty(diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        var reason = Assert.Single(result.Diagnostics);
        Assert.Equal("PIPE102", reason.Id);
        Assert.DoesNotContain('\n', reason.GetMessage());
        var generated = result.GeneratedSources.Single().SourceText.ToString();
        var remark = Assert.Single(generated.Split('\n'), l => l.Contains("Runs interpreted", StringComparison.Ordinal));
        Assert.Contains("'numbers.SlideDuration.Ticks &lt; 0 ? num...'", remark, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_inlined_lambdas_declaring_the_same_variables_get_distinct_names()
    {
        const string source = """
            using Pipelines;

            namespace Demo;

            [StreamingPipeline]
            public static partial class Parsing
            {
                public static DStream<int> Define(DStream<string> lines) =>
                    lines.Filter(s => int.TryParse(s, out var n) && n > 0)
                         .Map(s => int.TryParse(s, out var n) ? n * 2 : 0)
                         .Filter(v => v is int n && n > 2);
            }
            """;

        var (result, diagnostics) = GeneratorHarness.Run(source);

        Assert.Empty(diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error || (d.Severity == DiagnosticSeverity.Warning && GeneratorHarness.InGenerated(d))));
        Assert.Empty(result.Diagnostics);
        var generated = result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("int.TryParse(s, out var n) && n > 0", generated, StringComparison.Ordinal);
        Assert.Contains("int.TryParse(s, out var n2) ? n2 * 2 : 0", generated, StringComparison.Ordinal);
        Assert.Contains("v is int n3 && n3 > 2", generated, StringComparison.Ordinal);
    }

    [Fact]
    public void Nameof_a_renamed_lambda_parameter_keeps_the_users_name()
    {
        const string source = """
            using Pipelines;

            namespace Demo;

            [StreamingPipeline]
            public static partial class Names
            {
                public static DStream<string> Define(DStream<int> numbers)
                {
                    const int Offset = 1;
                    return numbers.Map(x => x + Offset).Map(x => nameof(x) + nameof(Offset) + x);
                }
            }
            """;

        var (result, diagnostics) = GeneratorHarness.Run(source);

        Assert.Empty(diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error || (d.Severity == DiagnosticSeverity.Warning && GeneratorHarness.InGenerated(d))));
        var generated = result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("= \"x\" + \"Offset\" + x2;", generated, StringComparison.Ordinal);
    }
}
