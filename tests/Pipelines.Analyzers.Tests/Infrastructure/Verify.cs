using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Pipelines.Analyzers.Tests.Infrastructure;

/// <summary>
/// Runs an analyzer (and a code fix) over test source with the Roslyn testing libraries' markup
/// (<c>{|PIPE003:…|}</c> marks where a diagnostic must land). The source compiles against the .NET 10
/// reference assemblies (no package download) and the Pipelines runtime.
/// </summary>
internal static class Verify<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    /// <summary>A diagnostic to expect, to be located with <c>{|#0:…|}</c> markup and checked with its message arguments.</summary>
    public static DiagnosticResult Diagnostic(DiagnosticDescriptor descriptor) => new(descriptor);

    /// <summary>
    /// Asserts the analyzer reports exactly the diagnostics marked in <paramref name="source"/> (plus
    /// <paramref name="expected"/>, for checking messages).
    /// </summary>
    public static Task AnalyzerAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new AnalyzerTest { TestCode = source };
        test.ExpectedDiagnostics.AddRange(expected);
        Configure(test.TestState);
        return test.RunAsync();
    }

    /// <summary>As <see cref="AnalyzerAsync"/>, for a program written as top-level statements.</summary>
    public static Task ProgramAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new AnalyzerTest { TestCode = source };
        test.TestState.OutputKind = OutputKind.ConsoleApplication;
        test.ExpectedDiagnostics.AddRange(expected);
        Configure(test.TestState);
        return test.RunAsync();
    }

    /// <summary>Asserts the diagnostics marked in <paramref name="source"/> and that the fix turns it into <paramref name="fixedSource"/>.</summary>
    public static Task CodeFixAsync<TCodeFix>(string source, string fixedSource)
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new CodeFixTest<TCodeFix> { TestCode = source, FixedCode = fixedSource };
        Configure(test.TestState);
        Configure(test.FixedState);
        return test.RunAsync();
    }

    /// <summary>Asserts the diagnostics marked in <paramref name="source"/> and that the fix offers nothing.</summary>
    public static Task NoCodeFixAsync<TCodeFix>(string source)
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new CodeFixTest<TCodeFix> { TestCode = source, FixedCode = source };
        Configure(test.TestState);
        Configure(test.FixedState);
        return test.RunAsync();
    }

    private static void Configure(SolutionState state)
    {
        state.AdditionalReferences.AddRange(References.All);
    }

    private sealed class AnalyzerTest : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
    {
        public AnalyzerTest() => ReferenceAssemblies = References.Net100;

        protected override ParseOptions CreateParseOptions() =>
            ((CSharpParseOptions)base.CreateParseOptions()).WithLanguageVersion(LanguageVersion.Latest);
    }

    private sealed class CodeFixTest<TCodeFix> : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
        where TCodeFix : CodeFixProvider, new()
    {
        public CodeFixTest() => ReferenceAssemblies = References.Net100;

        protected override ParseOptions CreateParseOptions() =>
            ((CSharpParseOptions)base.CreateParseOptions()).WithLanguageVersion(LanguageVersion.Latest);
    }
}

/// <summary>The references every test compilation gets.</summary>
internal static class References
{
    /// <summary>A target framework with no package to download: the assemblies come from <see cref="All"/>.</summary>
    public static readonly ReferenceAssemblies Net100 = new("net10.0");

    public static readonly MetadataReference[] All =
    [
        .. Basic.Reference.Assemblies.Net100.References.All,
        MetadataReference.CreateFromFile(typeof(Pipelines.DStream).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.Logging.ILoggerFactory).Assembly.Location),
    ];
}
