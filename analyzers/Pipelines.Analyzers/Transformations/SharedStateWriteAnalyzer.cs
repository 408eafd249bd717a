using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Pipelines.Analyzers.Runtime;

namespace Pipelines.Analyzers.Transformations;

/// <summary>
/// PIPE012: the function of a transformation (<c>Map(x => …)</c>, also in lambdas nested in it) writes to state
/// it shares with other calls: it assigns or increments a captured local or parameter, a static field, a field of
/// <c>this</c>, or an element or field reached through one of those, or calls a mutating method (<c>Add</c>,
/// <c>Remove</c>, <c>Clear</c>…) of a non-thread-safe collection or <c>StringBuilder</c> reached that way. With
/// <c>StreamingOptions.Parallelism</c> above 1, the partitions of a batch run on several threads at once, so such
/// a write is a data race. Not reported: writes inside a <c>lock</c>, <c>Interlocked</c> calls, concurrent
/// collections, locals declared inside the function, <c>Transform</c>/<c>TransformWith</c> (called once per batch
/// on the job loop) and output operations.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SharedStateWriteAnalyzer : DiagnosticAnalyzer
{
    private static readonly ImmutableHashSet<string> MutatingMethods = ImmutableHashSet.Create(
        "Add", "AddRange", "Insert", "InsertRange", "Remove", "RemoveAt", "RemoveAll", "RemoveRange", "RemoveWhere",
        "Clear", "Enqueue", "Dequeue", "TryDequeue", "Push", "Pop", "TryPop", "TryAdd", "Sort", "Reverse",
        "UnionWith", "IntersectWith", "ExceptWith", "SymmetricExceptWith", "Append", "AppendLine", "AppendFormat",
        "AppendJoin", "Replace", "Set", "EnsureCapacity", "TrimExcess");

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.SharedStateWrite);

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

            var stringBuilder = start.Compilation.GetTypeByMetadataName("System.Text.StringBuilder");
            start.RegisterOperationAction(
                c => AnalyzeWrite(c, symbols),
                OperationKind.SimpleAssignment,
                OperationKind.CompoundAssignment,
                OperationKind.CoalesceAssignment,
                OperationKind.Increment,
                OperationKind.Decrement);
            start.RegisterOperationAction(c => AnalyzeCall(c, symbols, stringBuilder), OperationKind.Invocation);
        });
    }

    private static void AnalyzeWrite(OperationAnalysisContext context, PipelinesSymbols symbols)
    {
        var target = context.Operation switch
        {
            IAssignmentOperation assignment => assignment.Target,
            IIncrementOrDecrementOperation increment => increment.Target,
            _ => null,
        };
        if (target is null || ParallelLambda(context.Operation, symbols) is not { } lambda || IsLocked(context.Operation, lambda))
        {
            return;
        }

        if (IsThreadSafeMember(target))
        {
            return;
        }

        if (SharedName(target, lambda) is { } name)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.SharedStateWrite, context.Operation.Syntax.GetLocation(), name));
        }
    }

    private static void AnalyzeCall(OperationAnalysisContext context, PipelinesSymbols symbols, INamedTypeSymbol? stringBuilder)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (invocation.Instance is not { } instance || method.IsStatic || !MutatingMethods.Contains(method.Name) ||
            !IsUnsynchronizedCollection(method.ContainingType, stringBuilder) ||
            ParallelLambda(invocation, symbols) is not { } lambda || IsLocked(invocation, lambda))
        {
            return;
        }

        if (SharedName(instance, lambda) is { } name)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.SharedStateWrite, invocation.Syntax.GetLocation(), name + "." + method.Name));
        }
    }

    /// <summary>A property or indexer of a concurrent collection (<c>concurrent[key] = value</c> is safe).</summary>
    private static bool IsThreadSafeMember(IOperation target) =>
        PipelinesSymbols.WalkDownConversions(target) is IPropertyReferenceOperation { Property.ContainingType.ContainingNamespace: { } ns } &&
        ns.ToDisplayString() == "System.Collections.Concurrent";

    /// <summary>Collections of System.Collections(.Generic) and StringBuilder: none is safe for concurrent writes.</summary>
    private static bool IsUnsynchronizedCollection(INamedTypeSymbol? type, INamedTypeSymbol? stringBuilder)
    {
        if (type is null)
        {
            return false;
        }

        if (SymbolEqualityComparer.Default.Equals(type, stringBuilder))
        {
            return true;
        }

        var ns = type.ContainingNamespace?.ToDisplayString();
        return ns is "System.Collections.Generic" or "System.Collections";
    }

    /// <summary>
    /// The name of the shared state <paramref name="operation"/> reaches (a captured local or parameter, a static
    /// field or property, a member of <c>this</c>, or something reached through one of them), or null when it is
    /// the function's own.
    /// </summary>
    private static string? SharedName(IOperation operation, IAnonymousFunctionOperation lambda)
    {
        operation = PipelinesSymbols.WalkDownConversions(operation)!;
        switch (operation)
        {
            case ILocalReferenceOperation local:
                return IsDeclaredIn(local.Local, lambda.Syntax) ? null : local.Local.Name;
            case IParameterReferenceOperation parameter:
                return IsDeclaredIn(parameter.Parameter, lambda.Syntax) ? null : parameter.Parameter.Name;
            case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ImplicitReceiver }:
                // A member set in an object or `with` initializer (`r with { Value = 1 }`): the new object's own.
                return null;
            case IInstanceReferenceOperation:
                return "this";
            case IFieldReferenceOperation field:
                if (field.Field.IsStatic)
                {
                    return field.Field.IsConst ? null : field.Field.ContainingType.Name + "." + field.Field.Name;
                }

                return Through(field.Instance, field.Field.Name);
            case IPropertyReferenceOperation property:
                if (property.Property.IsStatic)
                {
                    return property.Property.ContainingType.Name + "." + property.Property.Name;
                }

                return Through(property.Instance, property.Property.IsIndexer ? "[]" : property.Property.Name);
            case IArrayElementReferenceOperation element:
                return Through(element.ArrayReference, "[]");
            default:
                return null;
        }

        string? Through(IOperation? instance, string member)
        {
            if (instance is null || SharedName(instance, lambda) is not { } owner)
            {
                return null;
            }

            if (owner == "this")
            {
                return member;
            }

            return member == "[]" ? owner + "[…]" : owner + "." + member;
        }
    }

    /// <summary>
    /// The function of a transformation that <paramref name="operation"/> runs in and that may run for several
    /// partitions at once, or null (not in a transformation, or in Transform/TransformWith).
    /// </summary>
    private static IAnonymousFunctionOperation? ParallelLambda(IOperation operation, PipelinesSymbols symbols)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation lambda &&
                OperationTrees.InvocationTakingLambda(lambda) is { } invocation &&
                symbols.IsTransformation(invocation))
            {
                return invocation.TargetMethod.Name is "Transform" or "TransformWith" ? null : lambda;
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="operation"/> sits inside a <c>lock</c> statement within the function.</summary>
    private static bool IsLocked(IOperation operation, IAnonymousFunctionOperation lambda)
    {
        for (var current = operation.Parent; current is not null && current != lambda; current = current.Parent)
        {
            if (current is ILockOperation)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsDeclaredIn(ISymbol symbol, SyntaxNode node)
    {
        foreach (var location in symbol.Locations)
        {
            if (location.SourceTree == node.SyntaxTree && node.Span.Contains(location.SourceSpan))
            {
                return true;
            }
        }

        return false;
    }
}
