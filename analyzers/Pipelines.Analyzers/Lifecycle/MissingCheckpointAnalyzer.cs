using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Pipelines.Analyzers.Runtime;
using Pipelines.Analyzers.Windows;

namespace Pipelines.Analyzers.Lifecycle;

/// <summary>
/// PIPE011: a stateful operator (<c>UpdateStateByKey</c>, <c>MapWithState</c>) or an incremental window
/// (<c>ReduceByKeyAndWindow</c>/<c>ReduceByWindow</c> with an inverse, <c>CountByWindow</c>,
/// <c>CountByValueAndWindow</c>, the operators Spark requires a checkpoint directory for) on a stream of a
/// context created in the same method, where that method never sets a checkpoint directory.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class MissingCheckpointAnalyzer : PipelinesOperationAnalyzer
{
    /// <summary>Creates the analyzer.</summary>
    public MissingCheckpointAnalyzer()
        : base(ImmutableArray.Create(DiagnosticDescriptors.StatefulWithoutCheckpoint), OperationKind.Invocation)
    {
    }

    private protected override bool AppliesTo(PipelinesSymbols symbols) => symbols is { StreamingContext: not null };

    private protected override void Analyze(OperationAnalysisContext context, PipelinesSymbols symbols)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (!IsStateful(invocation) ||
            symbols.StreamReceiver(invocation) is not { } receiver ||
            StreamOrigins.Context(receiver, symbols, context.CancellationToken) is not { } contextExpression ||
            StreamOrigins.Creation(contextExpression, symbols, context.CancellationToken) is not { } creation ||
            !OptionsAreVisible(creation, symbols, context.CancellationToken))
        {
            return;
        }

        var facts = MethodFacts.Gather(invocation, symbols, context.CancellationToken);
        if (facts.SetsCheckpoint || facts.HandsOffStreams)
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.StatefulWithoutCheckpoint, OperationTrees.NameLocation(invocation), invocation.TargetMethod.Name));
    }

    private static bool IsStateful(IInvocationOperation invocation) => invocation.TargetMethod.Name switch
    {
        "UpdateStateByKey" or "MapWithState" or "CountByWindow" or "CountByValueAndWindow" => true,
        "ReduceByKeyAndWindow" or "ReduceByWindow" => InverseWindows.HasInverse(invocation),
        _ => false,
    };

    /// <summary>
    /// Whether the options the context is created with are visible here: none, <c>null</c>, or a
    /// <c>new StreamingOptions { … }</c> made in this method. Options from elsewhere may carry a directory.
    /// </summary>
    private static bool OptionsAreVisible(IObjectCreationOperation creation, PipelinesSymbols symbols, System.Threading.CancellationToken cancellationToken)
    {
        foreach (var argument in creation.Arguments)
        {
            if (argument.Parameter is not { } parameter ||
                !SymbolEqualityComparer.Default.Equals(parameter.Type.OriginalDefinition, symbols.StreamingOptions) ||
                !WindowArguments.IsGiven(argument))
            {
                continue;
            }

            var value = PipelinesSymbols.WalkDownConversions(argument.Value);
            if (value is ILocalReferenceOperation local && value.SemanticModel is { } model)
            {
                value = PipelinesSymbols.WalkDownConversions(LocalValues.SingleValue(local.Local, model, cancellationToken));
            }

            if (value is not IObjectCreationOperation)
            {
                return false;
            }
        }

        return true;
    }
}
