using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Pipelines.Analyzers.Runtime;

namespace Pipelines.Analyzers.Transformations;

/// <summary>
/// PIPE005: a transformation used as a statement (<c>stream.Map(f);</c>). DStreams are immutable: the call
/// builds a new stream nobody uses and leaves <c>stream</c> as it was. Operators that configure the stream
/// they are called on and return it (Cache, Persist, Checkpoint, Remember) are not transformations.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DiscardedTransformationAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.DiscardedTransformation);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (PipelinesSymbols.TryCreate(start.Compilation) is not { } symbols)
            {
                return;
            }

            start.RegisterOperationAction(operationContext => Analyze(operationContext, symbols), OperationKind.ExpressionStatement);
        });
    }

    private static void Analyze(OperationAnalysisContext context, PipelinesSymbols symbols)
    {
        var statement = (IExpressionStatementOperation)context.Operation;
        if (statement.Operation is not IInvocationOperation invocation ||
            invocation.TargetMethod.Name is "Cache" or "Persist" or "Checkpoint" or "Remember" ||
            !symbols.IsTransformation(invocation))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.DiscardedTransformation, invocation.Syntax.GetLocation(), invocation.TargetMethod.Name));
    }
}
