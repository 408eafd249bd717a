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
public sealed class InverseWindowFilterAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.InverseWindowWithoutFilter);

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

            start.RegisterOperationAction(operationContext => Analyze(operationContext, symbols), OperationKind.Invocation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, PipelinesSymbols symbols)
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
