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
public sealed class DiscardedTransformationAnalyzer : PipelinesOperationAnalyzer
{
    /// <summary>Creates the analyzer.</summary>
    public DiscardedTransformationAnalyzer()
        : base(ImmutableArray.Create(DiagnosticDescriptors.DiscardedTransformation), OperationKind.ExpressionStatement)
    {
    }

    private protected override void Analyze(OperationAnalysisContext context, PipelinesSymbols symbols)
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
