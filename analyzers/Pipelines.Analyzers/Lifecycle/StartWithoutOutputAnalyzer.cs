using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Pipelines.Analyzers.Runtime;

namespace Pipelines.Analyzers.Lifecycle;

/// <summary>
/// PIPE004: <c>Start()</c> on a context created in the same method, where that method registers no output
/// operation and hands no stream or context to other code (Spark: "No output operations registered, so
/// nothing to execute").
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class StartWithoutOutputAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.StartWithoutOutput);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (PipelinesSymbols.TryCreate(start.Compilation) is not { StreamingContext: not null } symbols)
            {
                return;
            }

            start.RegisterOperationAction(operationContext => Analyze(operationContext, symbols), OperationKind.Invocation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, PipelinesSymbols symbols)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (!symbols.IsContextMethod(invocation.TargetMethod, "Start") ||
            invocation.Instance is not { } instance ||
            StreamOrigins.Creation(instance, symbols, context.CancellationToken) is null)
        {
            return;
        }

        var facts = MethodFacts.Gather(invocation, symbols, context.CancellationToken);
        if (facts.HasOutput || facts.HandsOffStreams)
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.StartWithoutOutput, invocation.Syntax.GetLocation(), instance.Syntax.ToString()));
    }
}
