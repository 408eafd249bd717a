using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Pipelines.Analyzers.Runtime;

namespace Pipelines.Analyzers.CodeFixes;

/// <summary>
/// PIPE002: when the captured variable is a local initialized with a constant and never assigned again,
/// declares it <c>const</c>. A constant is not a captured variable, so the lambda can be fused.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeConstCodeFix)), Shared]
public sealed class MakeConstCodeFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.LambdaCapturesVariable.Id);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not IdentifierNameSyntax reference ||
                model.GetSymbolInfo(reference, context.CancellationToken).Symbol is not ILocalSymbol local ||
                ConstantDeclaration(local, model, context.CancellationToken) is not { } declaration)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Make '{local.Name}' const",
                    cancellationToken => MakeConstAsync(context.Document, declaration, local, cancellationToken),
                    equivalenceKey: nameof(MakeConstCodeFix)),
                diagnostic);
        }
    }

    /// <summary>The declaration of <paramref name="local"/> when it can become <c>const</c>, else null.</summary>
    private static LocalDeclarationStatementSyntax? ConstantDeclaration(ILocalSymbol local, SemanticModel model, CancellationToken cancellationToken)
    {
        if (local.IsConst || !CanBeConstant(local.Type) ||
            local.DeclaringSyntaxReferences.Length != 1 ||
            local.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not VariableDeclaratorSyntax { Initializer.Value: { } value } declarator ||
            declarator.Parent is not VariableDeclarationSyntax { Variables.Count: 1 } ||
            declarator.Parent.Parent is not LocalDeclarationStatementSyntax statement ||
            statement.Modifiers.Count != 0 || statement.UsingKeyword != default || statement.AwaitKeyword != default ||
            !model.GetConstantValue(value, cancellationToken).HasValue ||
            statement.Parent is not { } scope ||
            LocalValues.IsWrittenAfterDeclaration(local, scope, model, cancellationToken))
        {
            return null;
        }

        return statement;
    }

    private static bool CanBeConstant(ITypeSymbol type) =>
        type.TypeKind == TypeKind.Enum ||
        type.SpecialType is SpecialType.System_Boolean or SpecialType.System_Char or SpecialType.System_SByte or SpecialType.System_Byte
            or SpecialType.System_Int16 or SpecialType.System_UInt16 or SpecialType.System_Int32 or SpecialType.System_UInt32
            or SpecialType.System_Int64 or SpecialType.System_UInt64 or SpecialType.System_Single or SpecialType.System_Double
            or SpecialType.System_Decimal or SpecialType.System_String;

    private static async Task<Document> MakeConstAsync(
        Document document, LocalDeclarationStatementSyntax statement, ILocalSymbol local, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var declaration = statement.Declaration;
        var type = declaration.Type;
        if (type.IsVar)
        {
            var position = statement.SpanStart;
            var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            type = SyntaxFactory.ParseTypeName(local.Type.ToMinimalDisplayString(model!, position)).WithTriviaFrom(type);
        }

        var leading = statement.GetLeadingTrivia();
        var constKeyword = SyntaxFactory.Token(leading, SyntaxKind.ConstKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space));
        var updated = statement
            .WithoutLeadingTrivia()
            .WithDeclaration(declaration.WithType(type.WithLeadingTrivia()))
            .WithModifiers(SyntaxFactory.TokenList(constKeyword));

        return document.WithSyntaxRoot(root!.ReplaceNode(statement, updated));
    }
}
