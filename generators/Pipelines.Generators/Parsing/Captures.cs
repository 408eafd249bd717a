using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Pipelines.Generators.Parsing;

/// <summary>
/// Which symbols of <c>AnalyzeDataFlow(lambda).Captured</c> a lambda really captures. Compilers differ: under
/// <c>#nullable enable</c> the SDK's Roslyn 5.x lists lambda parameters as captured (a block lambda's own parameter in
/// <c>line =&gt; { var x = line.Trim(); return x; }</c>, and that <c>line</c> again for the next lambda of the chain),
/// where 4.x does not. So a symbol counts only when the lambda uses it: one declared outside the lambda when the
/// lambda refers to it, one declared inside (its parameters, its locals) when a nested lambda or local function
/// refers to it; <c>this</c> always counts. (The analyzer PIPE002 applies the same rule.)
/// </summary>
internal static class Captures
{
    /// <summary>The first symbol the lambda captures, or null; local constants never count.</summary>
    public static ISymbol? First(SemanticModel model, SyntaxNode lambda, System.Collections.Generic.IEnumerable<ISymbol> captured, CancellationToken cancellationToken) =>
        captured.FirstOrDefault(s => IsCapture(model, lambda, s, cancellationToken));

    private static bool IsCapture(SemanticModel model, SyntaxNode lambda, ISymbol symbol, CancellationToken cancellationToken)
    {
        if (symbol is ILocalSymbol { IsConst: true })
        {
            return false;
        }

        if (symbol is IParameterSymbol { IsThis: true })
        {
            return true;
        }

        var inside = DeclaredInside(symbol, lambda);
        return lambda.DescendantNodes().OfType<IdentifierNameSyntax>().Any(identifier =>
            identifier.Identifier.ValueText == symbol.Name
            && (!inside || InNestedFunction(identifier, lambda))
            && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol, symbol));
    }

    private static bool DeclaredInside(ISymbol symbol, SyntaxNode lambda) =>
        symbol.Locations.Any(l => l.IsInSource && l.SourceTree == lambda.SyntaxTree && lambda.Span.Contains(l.SourceSpan));

    private static bool InNestedFunction(SyntaxNode node, SyntaxNode lambda)
    {
        for (var current = node.Parent; current is not null && current != lambda; current = current.Parent)
        {
            if (current is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)
            {
                return true;
            }
        }

        return false;
    }
}
