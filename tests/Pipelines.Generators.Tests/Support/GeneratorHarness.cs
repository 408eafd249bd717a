using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Pipelines.Generators.Diagnostics;

namespace Pipelines.Generators.Tests.Support;

/// <summary>Runs <see cref="PipelineGenerator"/> over source text compiled against .NET 10 and the Pipelines runtime.</summary>
internal static class GeneratorHarness
{
    /// <summary>Documentation comments are checked, so missing XML docs on generated public members would show (CS1591).</summary>
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview, DocumentationMode.Diagnose);

    private static readonly ImmutableArray<MetadataReference> References =
    [
        .. Basic.Reference.Assemblies.Net100.References.All,
        MetadataReference.CreateFromFile(typeof(DStream<>).Assembly.Location),
    ];

    private const string GlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.Linq;
        """;

    public static CSharpCompilation Compile(params string[] sources) =>
        CSharpCompilation.Create(
            "UserPipelines",
            [CSharpSyntaxTree.ParseText(GlobalUsings, ParseOptions, "GlobalUsings.cs"), .. sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, $"Pipeline{i}.cs"))],
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, generalDiagnosticOption: ReportDiagnostic.Error)
                .WithSpecificDiagnosticOptions([
                    new("PIPE101", ReportDiagnostic.Warn),
                    new("PIPE102", ReportDiagnostic.Warn),
                    // The test sources skip XML docs; tests assert that generated files have no CS1591.
                    new("CS1591", ReportDiagnostic.Warn),
                ]));

    /// <summary>Whether a diagnostic is in a generated file.</summary>
    public static bool InGenerated(Diagnostic diagnostic) =>
        diagnostic.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true;

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            [new PipelineGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>
    /// Runs the generator and, as a build does, <see cref="DefinitionDiagnosticsAnalyzer"/> over the compilation
    /// with the generated code; returns what the generator emitted, every PIPE1xx diagnostic (from both), and the
    /// compiler's diagnostics of the compilation with the generated code.
    /// </summary>
    public static (HarnessResult Result, ImmutableArray<Diagnostic> CompilationDiagnostics) Run(params string[] sources)
    {
        var compilation = Compile(sources);
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var result = driver.GetRunResult().Results.Single();
        var analyzerDiagnostics = Analyze(output);
        return (new HarnessResult(result.GeneratedSources, [.. result.Diagnostics, .. analyzerDiagnostics], result.Exception), output.GetDiagnostics());
    }

    /// <summary>What <see cref="DefinitionDiagnosticsAnalyzer"/> reports on <paramref name="compilation"/>.</summary>
    public static ImmutableArray<Diagnostic> Analyze(Microsoft.CodeAnalysis.Compilation compilation) =>
        compilation.WithAnalyzers([new DefinitionDiagnosticsAnalyzer()])
            .GetAnalyzerDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult();
}

/// <summary>The generator's output and the PIPE1xx diagnostics of one run (generator and analyzer together).</summary>
internal sealed record HarnessResult(ImmutableArray<GeneratedSourceResult> GeneratedSources, ImmutableArray<Diagnostic> Diagnostics, Exception? Exception);
