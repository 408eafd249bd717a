using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Pipelines.Generators.Diagnostics;
using Pipelines.Generators.Tests.Support;

namespace Pipelines.Generators.Tests;

/// <summary>
/// PIPE101/PIPE102 come from <see cref="DefinitionDiagnosticsAnalyzer"/> (so language servers that show only
/// analyzer diagnostics show them), not from the generator: one diagnostic per problem.
/// The same count in a real <c>dotnet build</c> is checked by .ci/package-consumer.sh.
/// </summary>
public sealed class DefinitionDiagnosticsAnalyzerTests
{
    private const string Unsupported = """
        using Pipelines;

        namespace Demo;

        [StreamingPipeline]
        public static partial class Mixed
        {
            public static DStream<int> DefineRepartitioned(DStream<int> numbers) =>
                numbers.Map(n => n + 1).Map(Halve);

            public static DStream<int> DefineStatements(DStream<int> numbers)
            {
                var doubled = numbers.Map(n => n * 2);
                System.Console.WriteLine();
                return doubled;
            }

            private static readonly System.Func<int, int> Halve = n => n / 2;

            public static DStream<int> DefineCompiled(DStream<int> numbers) => numbers.Map(n => n + 1);
        }

        public static partial class NotAPipeline
        {
            public static DStream<int> DefineRepartitioned(DStream<int> numbers) => numbers.Repartition(4);
        }
        """;

    [Fact]
    public void Each_unsupported_definition_is_reported_once_by_the_analyzer_and_not_by_the_generator()
    {
        var compilation = GeneratorHarness.Compile(Unsupported);
        var driver = GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);

        var fromAnalyzer = GeneratorHarness.Analyze(output);

        Assert.Empty(generatorDiagnostics);
        Assert.Empty(driver.GetRunResult().Results.Single().Diagnostics);
        Assert.Equal(
            ["PIPE101 Halve", "PIPE102 DefineStatements"],
            fromAnalyzer.Select(d => d.Id + " " + Unsupported.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_analyzer_reports_what_the_generator_model_holds()
    {
        var compilation = GeneratorHarness.Compile(Unsupported);
        var tree = compilation.SyntaxTrees.Single(t => t.FilePath == "Pipeline0.cs");
        var declaration = tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax>().First();
        var model = compilation.GetSemanticModel(tree);
        var parsed = Parsing.Parser.Parse(declaration, model.GetDeclaredSymbol(declaration)!, model, CancellationToken.None);

        var reported = GeneratorHarness.Analyze(compilation);

        Assert.Equal(
            parsed.Diagnostics.Select(d => (d.Id, d.Location!.Start, d.Location.Length, Message(d))).Order(),
            reported.Select(d => (d.Id, d.Location.SourceSpan.Start, d.Location.SourceSpan.Length, d.GetMessage(CultureInfo.InvariantCulture))).Order());

        static string Message(Model.DiagnosticInfo diagnostic) =>
            string.Format(CultureInfo.InvariantCulture, GeneratorDiagnostics.Find(diagnostic.Id).MessageFormat.ToString(CultureInfo.InvariantCulture), [.. diagnostic.Arguments]);
    }

    [Fact]
    public void Reported_in_source_so_pragma_warning_disable_silences_it()
    {
        var silenced = Unsupported.Replace(
            "numbers.Map(n => n + 1).Map(Halve);",
            "\n#pragma warning disable PIPE101 // deliberately interpreted\n        numbers.Map(n => n + 1).Map(Halve);\n#pragma warning restore PIPE101");
        Assert.NotEqual(Unsupported, silenced);

        var compilation = GeneratorHarness.Compile(silenced);
        var reported = GeneratorHarness.Analyze(compilation);

        Assert.Equal(["PIPE102"], reported.Where(d => !d.IsSuppressed).Select(d => d.Id));
    }

    [Fact]
    public void Every_generator_descriptor_is_supported_by_the_analyzer()
    {
        var declared = typeof(GeneratorDiagnostics)
            .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => ((DiagnosticDescriptor)f.GetValue(null)!).Id)
            .Order(StringComparer.Ordinal);

        Assert.Equal(declared, new DefinitionDiagnosticsAnalyzer().SupportedDiagnostics.Select(d => d.Id).Order(StringComparer.Ordinal));
        Assert.All(new DefinitionDiagnosticsAnalyzer().SupportedDiagnostics, d => Assert.Same(d, GeneratorDiagnostics.Find(d.Id)));
    }

    [Fact]
    public void Help_links_come_from_the_PipelinesHelpLinkBase_property()
    {
        var analyzer = new DefinitionDiagnosticsAnalyzer();

        Assert.All(analyzer.SupportedDiagnostics, d => Assert.Equal(BuildInfo.HelpLinkBase + d.Id + ".md", d.HelpLinkUri));
        Assert.EndsWith("/docs/diagnostics/", BuildInfo.HelpLinkBase, StringComparison.Ordinal);
    }
}
