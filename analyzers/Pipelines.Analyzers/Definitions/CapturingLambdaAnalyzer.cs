using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Pipelines.Analyzers.Runtime;

namespace Pipelines.Analyzers.Definitions;

/// <summary>
/// PIPE002: a lambda passed to a stream operator inside a pipeline definition (a public static <c>Define…</c>
/// method of a <c>[StreamingPipeline]</c> class) captures a local, a parameter or <c>this</c>. The generator
/// inlines lambdas into its loops, which it cannot do with a closure, so that definition runs interpreted.
/// This is the only diagnostic for captures: the generator falls back silently.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class CapturingLambdaAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.LambdaCapturesVariable);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (PipelinesSymbols.TryCreate(start.Compilation) is not { StreamingPipelineAttribute: { } attribute } symbols)
            {
                return;
            }

            start.RegisterOperationAction(
                operationContext => AnalyzeLambda(operationContext, symbols, attribute), OperationKind.AnonymousFunction);
        });
    }

    private static void AnalyzeLambda(OperationAnalysisContext context, PipelinesSymbols symbols, INamedTypeSymbol attribute)
    {
        if (!PipelineClasses.IsDefinition(context.ContainingSymbol, attribute))
        {
            return;
        }

        var lambda = (IAnonymousFunctionOperation)context.Operation;
        if (!IsOperatorArgument(lambda, symbols) ||
            lambda.Syntax is not AnonymousFunctionExpressionSyntax syntax ||
            lambda.SemanticModel is not { } model)
        {
            return;
        }

        // The generator inlines the lambdas of fused operators, so a nested lambda reading this lambda's parameter is
        // a closure it cannot inline; the runtime's operators (Transform, windows, state…) get the lambda as written,
        // and only what it reads from outside the lambda keeps the definition interpreted.
        var passedAsWritten = IsPassedAsWritten(lambda);
        var flow = model.AnalyzeDataFlow(syntax);
        if (flow is null || !flow.Succeeded)
        {
            return;
        }

        // Every variable a closure captures inside this lambda: the lambda's own captures and those of lambdas
        // nested in it (even of this lambda's parameters, e.g. x in "x => items.Select(i => i + x)"). The
        // generator keeps a definition interpreted when any lambda in it captures, so each is reported here.
        foreach (var captured in flow.CapturedInside)
        {
            // A symbol counts only where the lambda uses it: declared outside, any use in the lambda; declared in it
            // (its parameters, its locals), a use in a nested lambda or local function. Under #nullable enable the
            // SDK's compiler (Roslyn 5.x) also lists lambda parameters here (a block lambda's own, and those of other
            // lambdas of the chain) where 4.x does not; they have no such use and are skipped. `this` always counts.
            var insideOnly = IsDeclaredInside(captured, syntax);
            if (insideOnly && passedAsWritten)
            {
                continue;
            }

            var location = FirstReference(syntax, captured, insideOnly, model, context.CancellationToken);
            if (location is null)
            {
                if (captured is not IParameterSymbol { IsThis: true })
                {
                    continue;
                }

                location = syntax.GetLocation();
            }
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.LambdaCapturesVariable,
                location,
                captured.Name,
                context.ContainingSymbol.Name));
        }
    }

    /// <summary>Whether the lambda is an argument of a Pipelines stream operator (not a lambda nested in one).</summary>
    private static bool IsOperatorArgument(IAnonymousFunctionOperation lambda, PipelinesSymbols symbols) =>
        OperationTrees.InvocationTakingLambda(lambda) is { } invocation && symbols.StreamReceiver(invocation) is not null;

    /// <summary>Whether the generator passes the lambda to a runtime operator as written instead of inlining it.</summary>
    private static bool IsPassedAsWritten(IAnonymousFunctionOperation lambda)
    {
        if (OperationTrees.InvocationTakingLambda(lambda) is not { TargetMethod: var method })
        {
            return false;
        }

        var declaring = (method.ReducedFrom ?? method).ContainingType.OriginalDefinition;
        var ns = declaring.ContainingNamespace is { IsGlobalNamespace: false } containing ? containing.ToDisplayString() + "." : string.Empty;
        return Pipelines.Compilation.OperatorCatalog.Find(ns + declaring.MetadataName, method.Name) is { Role: Pipelines.Compilation.OperatorRole.Boundary };
    }

    private static bool IsDeclaredInside(ISymbol symbol, SyntaxNode lambda)
    {
        foreach (var location in symbol.Locations)
        {
            if (location.IsInSource && location.SourceTree == lambda.SyntaxTree && lambda.Span.Contains(location.SourceSpan))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The first use of <paramref name="symbol"/> that a closure captures: any use in the lambda for a variable
    /// declared outside it, a use inside a nested lambda or local function for one declared in it.
    /// </summary>
    private static Location? FirstReference(
        AnonymousFunctionExpressionSyntax lambda, ISymbol symbol, bool inNestedFunctionsOnly, SemanticModel model, System.Threading.CancellationToken cancellationToken)
    {
        foreach (var node in lambda.Body.DescendantNodesAndSelf())
        {
            if (node is IdentifierNameSyntax identifier &&
                identifier.Identifier.ValueText == symbol.Name &&
                (!inNestedFunctionsOnly || IsInNestedFunction(identifier, lambda)) &&
                SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol, symbol))
            {
                return identifier.GetLocation();
            }
        }

        return null;
    }

    private static bool IsInNestedFunction(SyntaxNode node, SyntaxNode lambda)
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
