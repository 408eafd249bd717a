using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Pipelines.Analyzers.Runtime;

namespace Pipelines.Analyzers.Lifecycle;

/// <summary>
/// PIPE010: a stream operator, output or input added to a context's graph after <c>Start()</c> in the same
/// method (a later statement of the block that starts it), which the runtime rejects. Only the first call of
/// each chain is reported, and calls inside lambdas (which run later, or never) are left alone.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class OperationAfterStartAnalyzer : PipelinesOperationAnalyzer
{
    /// <summary>Creates the analyzer.</summary>
    public OperationAfterStartAnalyzer()
        : base(ImmutableArray.Create(DiagnosticDescriptors.OperationAfterStart), OperationKind.Invocation)
    {
    }

    private protected override bool AppliesTo(PipelinesSymbols symbols) => symbols is { StreamingContext: not null };

    private protected override void Analyze(OperationAnalysisContext context, PipelinesSymbols symbols)
    {
        var start = (IInvocationOperation)context.Operation;
        if (!symbols.IsContextMethod(start.TargetMethod, "Start") ||
            StreamOrigins.ContextSymbol(start.Instance) is not { } contextSymbol ||
            FollowingStatements(start.Syntax) is not { } region)
        {
            return;
        }

        var root = OperationTrees.Root(start);
        var end = EndOfStartedContext(root, contextSymbol, region);
        foreach (var operation in root.Descendants())
        {
            if (operation is not IInvocationOperation later ||
                later.Syntax.SpanStart < region.Start ||
                later.Syntax.Span.End > end ||
                IsInsideFunction(later.Syntax, start.Syntax))
            {
                continue;
            }

            if (AddsToGraphOf(later, contextSymbol, symbols, context.CancellationToken))
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.OperationAfterStart,
                    OperationTrees.NameLocation(later),
                    later.TargetMethod.Name,
                    start.Instance!.Syntax.ToString()));
            }
        }
    }

    /// <summary>
    /// Where the started context stops being the one the variable holds: the first assignment of a new
    /// context to it after Start (a restart, e.g. recovery from a checkpoint), else the end of the block.
    /// </summary>
    private static int EndOfStartedContext(IOperation root, ISymbol contextSymbol, Microsoft.CodeAnalysis.Text.TextSpan region)
    {
        var end = region.End;
        foreach (var operation in root.Descendants())
        {
            if (operation is IAssignmentOperation assignment &&
                assignment.Syntax.SpanStart >= region.Start && assignment.Syntax.SpanStart < end &&
                SymbolEqualityComparer.Default.Equals(StreamOrigins.ContextSymbol(assignment.Target), contextSymbol))
            {
                end = assignment.Syntax.SpanStart;
            }
        }

        return end;
    }

    /// <summary>Whether the call is the first of a chain that adds to the graph of the started context.</summary>
    private static bool AddsToGraphOf(IInvocationOperation call, ISymbol contextSymbol, PipelinesSymbols symbols, System.Threading.CancellationToken cancellationToken)
    {
        if (symbols.StreamReceiver(call) is { } receiver)
        {
            // Queries such as Slice read the stream; only new streams and outputs change the graph.
            if (!symbols.IsTransformation(call) && !symbols.IsOutput(call))
            {
                return false;
            }

            // Report a chain once, at its first operator after Start.
            if (PipelinesSymbols.WalkDownConversions(receiver) is IInvocationOperation inner &&
                (symbols.StreamReceiver(inner) is not null || IsContextSource(inner, symbols)))
            {
                return false;
            }

            return SymbolEqualityComparer.Default.Equals(
                StreamOrigins.ContextSymbol(StreamOrigins.Context(receiver, symbols, cancellationToken)), contextSymbol);
        }

        return SymbolEqualityComparer.Default.Equals(StreamOrigins.ContextSymbol(symbols.ContextReceiver(call)), contextSymbol);
    }

    /// <summary>A context method that creates an input stream (QueueStream, SocketTextStream…).</summary>
    private static bool IsContextSource(IInvocationOperation call, PipelinesSymbols symbols) => symbols.ContextReceiver(call) is not null;

    /// <summary>The span of the statements after the one holding <paramref name="start"/>, in its block.</summary>
    private static Microsoft.CodeAnalysis.Text.TextSpan? FollowingStatements(SyntaxNode start)
    {
        var statement = start.FirstAncestorOrSelf<StatementSyntax>();
        if (statement is null)
        {
            return null;
        }

        SyntaxNode container = statement.Parent is GlobalStatementSyntax global ? global.Parent! : statement.Parent!;
        var end = statement.Parent is GlobalStatementSyntax g ? g.Span.End : statement.Span.End;
        return container is BlockSyntax or CompilationUnitSyntax or SwitchSectionSyntax
            ? Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(end, container.Span.End)
            : null;
    }

    /// <summary>Whether <paramref name="node"/> sits in a lambda or local function that does not also hold Start.</summary>
    private static bool IsInsideFunction(SyntaxNode node, SyntaxNode start)
    {
        for (var current = node.Parent; current is not null; current = current.Parent)
        {
            if (current is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)
            {
                return !current.Span.Contains(start.Span);
            }
        }

        return false;
    }
}
