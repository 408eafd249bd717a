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
public sealed class StartWithoutOutputAnalyzer : PipelinesOperationAnalyzer
{
    /// <summary>Creates the analyzer.</summary>
    public StartWithoutOutputAnalyzer()
        : base(ImmutableArray.Create(DiagnosticDescriptors.StartWithoutOutput), OperationKind.Invocation)
    {
    }

    private protected override bool AppliesTo(PipelinesSymbols symbols) => symbols is { StreamingContext: not null };

    private protected override void Analyze(OperationAnalysisContext context, PipelinesSymbols symbols)
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
