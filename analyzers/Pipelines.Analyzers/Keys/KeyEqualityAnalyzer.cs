using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Pipelines.Analyzers.Runtime;

namespace Pipelines.Analyzers.Keys;

/// <summary>
/// PIPE008: a keyed operator (ReduceByKey, GroupByKey, CombineByKey, the joins, CoGroup, the keyed windows,
/// UpdateStateByKey, MapWithState, CountByValue…) whose key type compares by reference: an array, or a class
/// that overrides neither Equals nor GetHashCode. Equal keys would land in different groups.
/// When the key is a class declared in this compilation that can safely become a record, the diagnostic
/// carries its declaration as an additional location for the code fix.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class KeyEqualityAnalyzer : PipelinesOperationAnalyzer
{
    /// <summary>Property set when the key class can be turned into a record.</summary>
    public const string CanBecomeRecordProperty = "CanBecomeRecord";

    /// <summary>Creates the analyzer.</summary>
    public KeyEqualityAnalyzer()
        : base(ImmutableArray.Create(DiagnosticDescriptors.KeyWithoutValueEquality), OperationKind.Invocation)
    {
    }

    private protected override void Analyze(OperationAnalysisContext context, PipelinesSymbols symbols)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var keyIsElement = invocation.TargetMethod.Name switch
        {
            "ReduceByKey" or "GroupByKey" or "CombineByKey" or "Join" or "LeftOuterJoin" or "RightOuterJoin" or "FullOuterJoin"
                or "CoGroup" or "ReduceByKeyAndWindow" or "GroupByKeyAndWindow" or "UpdateStateByKey" or "MapWithState" or "PartitionBy" => (bool?)false,
            "CountByValue" or "CountByValueAndWindow" => true,
            _ => null,
        };
        if (keyIsElement is null ||
            symbols.StreamReceiver(invocation) is not { } receiver ||
            symbols.ElementType(receiver.Type) is not { } element)
        {
            return;
        }

        ITypeSymbol? key = keyIsElement.Value
            ? element
            : element is INamedTypeSymbol { IsTupleType: true, TupleElements.Length: 2 } pair ? pair.TupleElements[0].Type : null;
        if (key is null || KeyEquality.WhyReferenceEquality(key, out var offendingClass) is not { } why)
        {
            return;
        }

        var additionalLocations = ImmutableArray<Location>.Empty;
        var properties = ImmutableDictionary<string, string?>.Empty;
        if (offendingClass is not null && offendingClass.Locations.Length == 1 && offendingClass.Locations[0].IsInSource &&
            KeyEquality.CanBecomeRecord(offendingClass))
        {
            additionalLocations = ImmutableArray.Create(offendingClass.Locations[0]);
            properties = properties.Add(CanBecomeRecordProperty, "true");
        }

        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.KeyWithoutValueEquality,
            OperationTrees.NameLocation(invocation),
            additionalLocations,
            properties,
            invocation.TargetMethod.Name,
            key.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
            why));
    }
}
