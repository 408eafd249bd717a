using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Pipelines.Analyzers.Runtime;

namespace Pipelines.Analyzers.Windows;

/// <summary>
/// PIPE009: <c>ReduceByKeyAndWindow</c> with an inverse function and no filter. The incremental window keeps
/// every key it has ever seen, even once its value is back to neutral (a count of 0), so the state only grows.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class InverseWindowFilterAnalyzer : PipelinesOperationAnalyzer
{
    /// <summary>Creates the analyzer.</summary>
    public InverseWindowFilterAnalyzer()
        : base(ImmutableArray.Create(DiagnosticDescriptors.InverseWindowWithoutFilter), OperationKind.Invocation)
    {
    }

    private protected override void Analyze(OperationAnalysisContext context, PipelinesSymbols symbols)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (invocation.TargetMethod.Name != "ReduceByKeyAndWindow" ||
            symbols.StreamReceiver(invocation) is null ||
            !InverseWindows.HasInverse(invocation) ||
            InverseWindows.HasFilter(invocation))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.InverseWindowWithoutFilter, OperationTrees.NameLocation(invocation)));
    }
}
