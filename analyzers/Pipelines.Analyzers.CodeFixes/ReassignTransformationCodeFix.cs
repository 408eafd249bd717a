using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Pipelines.Analyzers.Runtime;

namespace Pipelines.Analyzers.CodeFixes;

/// <summary>
/// PIPE005: <c>lines.Filter(f);</c> becomes <c>lines = lines.Filter(f);</c> when the chain starts at a local
/// (or parameter) whose type can hold the result.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ReassignTransformationCodeFix)), Shared]
public sealed class ReassignTransformationCodeFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.DiscardedTransformation.Id);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null || PipelinesSymbols.TryCreate(model.Compilation) is not { } symbols)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax call ||
                call.Parent is not ExpressionStatementSyntax statement ||
                model.GetOperation(call, context.CancellationToken) is not IInvocationOperation invocation ||
                Target(invocation, symbols, model.Compilation) is not { } target)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Assign the result to '{target.Name}'",
                    cancellationToken => ReassignAsync(context.Document, statement, call, target.Name, cancellationToken),
                    equivalenceKey: nameof(ReassignTransformationCodeFix)),
                diagnostic);
        }
    }

    /// <summary>The local or parameter the chain starts at, when the chain's result fits in it.</summary>
    private static ISymbol? Target(IInvocationOperation invocation, PipelinesSymbols symbols, Microsoft.CodeAnalysis.Compilation compilation)
    {
        var receiver = symbols.StreamReceiver(invocation);
        while (PipelinesSymbols.WalkDownConversions(receiver) is IInvocationOperation inner && symbols.StreamReceiver(inner) is { } next)
        {
            receiver = next;
        }

        var (symbol, type) = PipelinesSymbols.WalkDownConversions(receiver) switch
        {
            ILocalReferenceOperation { Local: { IsConst: false, IsRef: false } local } => ((ISymbol)local, local.Type),
            IParameterReferenceOperation { Parameter: { RefKind: RefKind.None or RefKind.Ref or RefKind.Out } parameter } => (parameter, parameter.Type),
            _ => (null, null),
        };
        return symbol is not null && invocation.Type is { } result && compilation.ClassifyConversion(result, type!).IsImplicit ? symbol : null;
    }

    private static async Task<Document> ReassignAsync(
        Document document, ExpressionStatementSyntax statement, InvocationExpressionSyntax call, string name, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var assignment = SyntaxFactory.AssignmentExpression(
            SyntaxKind.SimpleAssignmentExpression,
            SyntaxFactory.IdentifierName(name).WithLeadingTrivia(call.GetLeadingTrivia()),
            SyntaxFactory.Token(SyntaxFactory.TriviaList(SyntaxFactory.Space), SyntaxKind.EqualsToken, SyntaxFactory.TriviaList(SyntaxFactory.Space)),
            call.WithoutLeadingTrivia());
        return document.WithSyntaxRoot(root!.ReplaceNode(statement, statement.WithExpression(assignment)));
    }
}
