using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Pipelines.Analyzers.Runtime;

/// <summary>Follows a local variable back to the value it was declared with, when that is its only value.</summary>
internal static class LocalValues
{
    /// <summary>
    /// The initializer of <paramref name="local"/> when the local is declared with one and never assigned
    /// again (no assignment, increment, <c>ref</c>/<c>out</c> use) in the code that declares it; otherwise null.
    /// </summary>
    public static IOperation? SingleValue(ILocalSymbol local, SemanticModel model, CancellationToken cancellationToken)
    {
        if (local.DeclaringSyntaxReferences.Length != 1 ||
            local.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not VariableDeclaratorSyntax { Initializer.Value: { } value } declarator ||
            declarator.SyntaxTree != model.SyntaxTree)
        {
            return null;
        }

        var scope = (SyntaxNode?)declarator.FirstAncestorOrSelf<BlockSyntax>() ?? declarator.FirstAncestorOrSelf<CompilationUnitSyntax>();
        if (scope is null || IsWrittenAfterDeclaration(local, scope, model, cancellationToken))
        {
            return null;
        }

        return model.GetOperation(value, cancellationToken);
    }

    /// <summary>Whether <paramref name="local"/> is assigned, incremented or passed by reference inside <paramref name="scope"/>.</summary>
    public static bool IsWrittenAfterDeclaration(ILocalSymbol local, SyntaxNode scope, SemanticModel model, CancellationToken cancellationToken)
    {
        foreach (var node in scope.DescendantNodes())
        {
            if (node is not IdentifierNameSyntax identifier || identifier.Identifier.ValueText != local.Name || !IsWriteTarget(identifier))
            {
                continue;
            }

            if (SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol, local))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsWriteTarget(IdentifierNameSyntax identifier)
    {
        SyntaxNode node = identifier;
        while (node.Parent is ParenthesizedExpressionSyntax)
        {
            node = node.Parent;
        }

        return node.Parent switch
        {
            AssignmentExpressionSyntax assignment => assignment.Left == node,
            PrefixUnaryExpressionSyntax prefix => prefix.IsKind(SyntaxKind.PreIncrementExpression) || prefix.IsKind(SyntaxKind.PreDecrementExpression) || prefix.IsKind(SyntaxKind.AddressOfExpression),
            PostfixUnaryExpressionSyntax => true,
            ArgumentSyntax argument => !argument.RefKindKeyword.IsKind(SyntaxKind.None),
            RefExpressionSyntax => true,
            _ => false,
        };
    }
}
