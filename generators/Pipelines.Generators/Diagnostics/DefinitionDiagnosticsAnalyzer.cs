using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Pipelines.Generators.Model;
using Pipelines.Generators.Parsing;

namespace Pipelines.Generators.Diagnostics;

/// <summary>
/// Reports the generator's diagnostics (PIPE101, PIPE102) as an analyzer, so they show wherever analyzer
/// diagnostics do: language servers that show no generator diagnostics (csharp-ls, VS Code with background
/// analysis), <c>#pragma warning disable</c>, and code-analysis reports.
/// </summary>
/// <remarks>
/// It runs the generator's own <see cref="Parser"/> on each <c>[StreamingPipeline]</c> declaration, so the
/// two cannot disagree on what is compiled. The generator keeps these diagnostics in its model (for its
/// tests and its fallbacks) but does not report them: each problem is reported once, here.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DefinitionDiagnosticsAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => GeneratorDiagnostics.All;

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            var attribute = start.Compilation.GetTypeByMetadataName(Parser.AttributeMetadataName);
            if (attribute is null)
            {
                return;
            }

            start.RegisterSyntaxNodeAction(node => AnalyzeClass(node, attribute), SyntaxKind.ClassDeclaration);
        });
    }

    private static void AnalyzeClass(SyntaxNodeAnalysisContext context, INamedTypeSymbol attribute)
    {
        var declaration = (ClassDeclarationSyntax)context.Node;
        if (!CarriesAttribute(declaration, attribute, context.SemanticModel, context.CancellationToken)
            || context.SemanticModel.GetDeclaredSymbol(declaration, context.CancellationToken) is not { } type)
        {
            return;
        }

        var model = Parser.Parse(declaration, type, context.SemanticModel, context.CancellationToken);
        foreach (var diagnostic in model.Diagnostics)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                GeneratorDiagnostics.Find(diagnostic.Id),
                ToLocation(diagnostic.Location, declaration.SyntaxTree),
                [.. diagnostic.Arguments]));
        }
    }

    /// <summary>Whether this declaration (not another part of the class) has the attribute, as the generator's trigger requires.</summary>
    private static bool CarriesAttribute(ClassDeclarationSyntax declaration, INamedTypeSymbol attribute, SemanticModel model, System.Threading.CancellationToken cancellationToken)
    {
        foreach (var list in declaration.AttributeLists)
        {
            foreach (var candidate in list.Attributes)
            {
                if (SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(candidate, cancellationToken).Symbol?.ContainingType, attribute))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>A location in the analyzed tree, so the squiggle, suppressions and code actions work on it.</summary>
    private static Location? ToLocation(LocationInfo? location, SyntaxTree tree) =>
        location is null ? null
        : location.FilePath == tree.FilePath ? tree.GetLocation(new TextSpan(location.Start, location.Length))
        : location.ToLocation();
}
