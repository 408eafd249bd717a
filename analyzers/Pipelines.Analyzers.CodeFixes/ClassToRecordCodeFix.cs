using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FindSymbols;
using Pipelines.Analyzers.Keys;

namespace Pipelines.Analyzers.CodeFixes;

/// <summary>
/// PIPE008: turns the key class into a <c>record</c> (value equality over its fields), when the analyzer found
/// it safe, the language version has records and no class derives from it. Otherwise there is no fix: the
/// diagnostic's help page explains the choices (a record, a struct, a tuple, or Equals/GetHashCode).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ClassToRecordCodeFix)), Shared]
public sealed class ClassToRecordCodeFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.KeyWithoutValueEquality.Id);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.ContainsKey(KeyEqualityAnalyzer.CanBecomeRecordProperty) ||
                diagnostic.AdditionalLocations.Count != 1 ||
                context.Document.Project.Solution.GetDocument(diagnostic.AdditionalLocations[0].SourceTree) is not { } classDocument ||
                classDocument.Project.ParseOptions is CSharpParseOptions { LanguageVersion: < LanguageVersion.CSharp9 })
            {
                continue;
            }

            var root = await classDocument.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root?.FindToken(diagnostic.AdditionalLocations[0].SourceSpan.Start).Parent is not ClassDeclarationSyntax declaration ||
                await HasDerivedClassesAsync(classDocument, declaration, context.CancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Make '{declaration.Identifier.ValueText}' a record",
                    cancellationToken => ToRecordAsync(context.Document.Project.Solution, classDocument, declaration, cancellationToken),
                    equivalenceKey: nameof(ClassToRecordCodeFix)),
                diagnostic);
        }
    }

    private static async Task<bool> HasDerivedClassesAsync(Document document, ClassDeclarationSyntax declaration, CancellationToken cancellationToken)
    {
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (model?.GetDeclaredSymbol(declaration, cancellationToken) is not { } type)
        {
            return true;
        }

        var derived = await SymbolFinder.FindDerivedClassesAsync(type, document.Project.Solution, transitive: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        return derived.Any();
    }

    private static async Task<Solution> ToRecordAsync(Solution solution, Document document, ClassDeclarationSyntax declaration, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var record = SyntaxFactory.RecordDeclaration(
            SyntaxKind.RecordDeclaration,
            declaration.AttributeLists,
            declaration.Modifiers,
            SyntaxFactory.Token(SyntaxKind.RecordKeyword).WithTriviaFrom(declaration.Keyword),
            default,
            declaration.Identifier,
            declaration.TypeParameterList,
            null,
            declaration.BaseList,
            declaration.ConstraintClauses,
            declaration.OpenBraceToken,
            declaration.Members,
            declaration.CloseBraceToken,
            declaration.SemicolonToken);
        return solution.WithDocumentSyntaxRoot(document.Id, root!.ReplaceNode(declaration, record));
    }
}
