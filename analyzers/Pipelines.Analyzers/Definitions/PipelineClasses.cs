using Microsoft.CodeAnalysis;

namespace Pipelines.Analyzers.Definitions;

/// <summary>Recognizes pipeline classes (<c>[StreamingPipeline]</c>) and their definitions (<c>public static Define…</c>).</summary>
internal static class PipelineClasses
{
    public const string AttributeMetadataName = "Pipelines.StreamingPipelineAttribute";

    public static bool IsPipeline(INamedTypeSymbol type, INamedTypeSymbol attribute)
    {
        foreach (var data in type.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(data.AttributeClass, attribute))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A public static method named <c>Define…</c> of a pipeline class: what the generator compiles.</summary>
    public static bool IsDefinition(ISymbol? symbol, INamedTypeSymbol attribute) =>
        symbol is IMethodSymbol { IsStatic: true, DeclaredAccessibility: Accessibility.Public, MethodKind: MethodKind.Ordinary } method &&
        method.Name.StartsWith("Define", System.StringComparison.Ordinal) &&
        IsPipeline(method.ContainingType, attribute);
}
