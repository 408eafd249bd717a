using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Pipelines.Generators.Parsing;

/// <summary>
/// Cheap syntactic checks that let the reader skip semantic queries whose answer is known from syntax alone. Each
/// over-approximates: it may keep a query that turns out unnecessary, never skip one that could matter.
/// </summary>
internal static class SyntacticFilters
{
    /// <summary>
    /// Every name declared inside <paramref name="node"/>, itself included: parameters (of the method, its lambdas and
    /// local functions), local variables and constants, out and pattern variables, foreach and catch variables, local
    /// functions and query range variables. A local or parameter that code inside the node refers to is declared
    /// there, so an identifier whose name is not in this set is none of them and need not be bound to find out.
    /// </summary>
    public static HashSet<string> DeclaredNames(SyntaxNode node)
    {
        var names = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (var descendant in node.DescendantNodesAndSelf())
        {
            var identifier = descendant switch
            {
                ParameterSyntax parameter => parameter.Identifier,
                VariableDeclaratorSyntax declarator => declarator.Identifier,
                SingleVariableDesignationSyntax designation => designation.Identifier,
                ForEachStatementSyntax forEach => forEach.Identifier,
                CatchDeclarationSyntax @catch => @catch.Identifier,
                LocalFunctionStatementSyntax function => function.Identifier,
                FromClauseSyntax from => from.Identifier,
                LetClauseSyntax let => let.Identifier,
                JoinClauseSyntax join => join.Identifier,
                JoinIntoClauseSyntax into => into.Identifier,
                QueryContinuationSyntax continuation => continuation.Identifier,
                _ => default,
            };

            if (identifier.IsKind(SyntaxKind.IdentifierToken))
            {
                names.Add(identifier.ValueText);
            }
        }

        return names;
    }

    /// <summary>
    /// Whether the file declares a <c>file</c>-local type. Such a type is visible only in its own file, so a
    /// definition in a file that declares none cannot use one, and its names need not be bound to find out.
    /// </summary>
    public static bool DeclaresFileLocalType(SyntaxNode root)
    {
        // Types are declared only in compilation units, namespaces and other types (never in member bodies).
        foreach (var node in root.DescendantNodes(static n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax or TypeDeclarationSyntax))
        {
            if (node is BaseTypeDeclarationSyntax { Modifiers: var modifiers } && modifiers.Any(SyntaxKind.FileKeyword)
                || node is DelegateDeclarationSyntax { Modifiers: var delegateModifiers } && delegateModifiers.Any(SyntaxKind.FileKeyword))
            {
                return true;
            }
        }

        return false;
    }
}
