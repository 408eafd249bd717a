using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Pipelines.Generators.Parsing;

/// <summary>
/// Which local or parameter of a definition a lambda or an argument captures, found by walking its identifiers and
/// binding only those named like a variable the definition declares (<see cref="SyntacticFilters.DeclaredNames"/>).
/// Not <c>AnalyzeDataFlow</c>: it costs a flow pass over the whole method per lambda, and compilers differ in what it
/// lists (under <c>#nullable enable</c> the SDK's Roslyn 5.x lists a lambda's own parameters as captured, where 4.x does
/// not). Symbols declared inside the lambda never count, except one that a nested lambda or local function uses from
/// outside itself; local constants never count. (The analyzer PIPE002 applies the same rule.)
/// </summary>
internal static class Captures
{
    /// <summary>
    /// The first variable the function <paramref name="lambda"/> captures, or null: one declared outside the lambda
    /// that the lambda uses, or one declared inside it that a nested lambda or local function uses from outside itself.
    /// </summary>
    public static ISymbol? FirstInFunction(SemanticModel model, SyntaxNode lambda, ICollection<string> declaredNames, CancellationToken cancellationToken) =>
        First(model, lambda, declaredNames, nested: true, cancellationToken);

    /// <summary>The first variable declared outside <paramref name="expression"/> that it uses (reads, writes or captures), or null.</summary>
    public static ISymbol? FirstFromOutside(SemanticModel model, SyntaxNode expression, ICollection<string> declaredNames, CancellationToken cancellationToken) =>
        First(model, expression, declaredNames, nested: false, cancellationToken);

    private static ISymbol? First(SemanticModel model, SyntaxNode region, ICollection<string> declaredNames, bool nested, CancellationToken cancellationToken)
    {
        foreach (var identifier in region.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
        {
            if (!declaredNames.Contains(identifier.Identifier.ValueText) || InNameOf(model, identifier, region, cancellationToken))
            {
                continue;
            }

            var symbol = model.GetSymbolInfo(identifier, cancellationToken).Symbol;
            if (symbol is not (ILocalSymbol { IsConst: false } or IParameterSymbol))
            {
                continue;
            }

            // Where the use must come from for the symbol to count: the innermost function around it (for a lambda),
            // or the expression itself.
            var scope = nested ? InnermostFunction(identifier, region) : region;
            if (!DeclaredInside(symbol, scope))
            {
                return symbol;
            }
        }

        return null;
    }

    private static bool DeclaredInside(ISymbol symbol, SyntaxNode node) =>
        symbol.Locations.Any(l => l.IsInSource && l.SourceTree == node.SyntaxTree && node.Span.Contains(l.SourceSpan));

    private static SyntaxNode InnermostFunction(SyntaxNode node, SyntaxNode region)
    {
        if (node == region)
        {
            return region;
        }

        for (var current = node.Parent; current is not null && current != region; current = current.Parent)
        {
            if (current is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)
            {
                return current;
            }
        }

        return region;
    }

    /// <summary>Whether <paramref name="identifier"/> is inside the argument of a <c>nameof(…)</c> (a name, not a use).</summary>
    private static bool InNameOf(SemanticModel model, SyntaxNode identifier, SyntaxNode region, CancellationToken cancellationToken)
    {
        if (identifier == region)
        {
            return false;
        }

        for (var current = identifier.Parent; current is not null && current != region; current = current.Parent)
        {
            if (current is ArgumentListSyntax { Parent: InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "nameof" } } invocation }
                && model.GetSymbolInfo(invocation.Expression, cancellationToken).Symbol is null)
            {
                return true;
            }
        }

        return false;
    }
}
