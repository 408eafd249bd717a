using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Pipelines.Analyzers.Definitions;

/// <summary>
/// PIPE001: a <c>[StreamingPipeline]</c> class, or a type that contains one, is not <c>partial</c>, so the
/// generator cannot add its <c>Compile…</c> methods.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PartialPipelineAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.PipelineClassNotPartial);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var attribute = start.Compilation.GetTypeByMetadataName(PipelineClasses.AttributeMetadataName);
            if (attribute is null)
            {
                return;
            }

            start.RegisterSymbolAction(symbolContext => AnalyzeType(symbolContext, attribute), SymbolKind.NamedType);
        });
    }

    private static void AnalyzeType(SymbolAnalysisContext context, INamedTypeSymbol attribute)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (type.DeclaringSyntaxReferences.Length != 1 ||
            type.DeclaringSyntaxReferences[0].GetSyntax(context.CancellationToken) is not TypeDeclarationSyntax declaration ||
            declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            // A type with several declarations is partial; records of other kinds are not ours to judge.
            return;
        }

        string suffix;
        if (PipelineClasses.IsPipeline(type, attribute))
        {
            suffix = string.Empty;
        }
        else if (FindNestedPipeline(type, attribute) is { } nested)
        {
            suffix = $" (it contains the pipeline class '{nested.Name}')";
        }
        else
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.PipelineClassNotPartial, declaration.Identifier.GetLocation(), type.Name, suffix));
    }

    private static INamedTypeSymbol? FindNestedPipeline(INamedTypeSymbol type, INamedTypeSymbol attribute)
    {
        foreach (var member in type.GetTypeMembers())
        {
            if (PipelineClasses.IsPipeline(member, attribute))
            {
                return member;
            }

            if (FindNestedPipeline(member, attribute) is { } deeper)
            {
                return deeper;
            }
        }

        return null;
    }
}
