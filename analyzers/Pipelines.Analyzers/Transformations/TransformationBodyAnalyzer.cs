using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Pipelines.Analyzers.Runtime;

namespace Pipelines.Analyzers.Transformations;

/// <summary>
/// PIPE006 and PIPE007: calls inside the function of a transformation (<c>Map(x => …)</c>, also in lambdas
/// nested in it) that are non-deterministic (the clock, random numbers, new GUIDs: a batch replayed after
/// recovery computes something else) or that block the batch thread (<c>Thread.Sleep</c>, <c>Task.Wait</c>,
/// <c>.Result</c>, <c>.GetAwaiter().GetResult()</c>). Output operations (ForEachBatch) are not transformations.
/// The analyzer first matches the called member against a few types resolved once per compilation, so
/// ordinary calls cost one set lookup.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TransformationBodyAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.NonDeterministicCall, DiagnosticDescriptors.BlockingCall);

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

            var members = new SuspiciousMembers(start.Compilation);
            start.RegisterOperationAction(
                operationContext => Analyze(operationContext, symbols, members),
                OperationKind.Invocation,
                OperationKind.PropertyReference,
                OperationKind.ObjectCreation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, PipelinesSymbols symbols, SuspiciousMembers members)
    {
        var (descriptor, name) = members.Classify(context.Operation);
        if (descriptor is null || TransformationLambda(context.Operation, symbols) is not { } lambda)
        {
            return;
        }

        if (descriptor == DiagnosticDescriptors.NonDeterministicCall && IsOwnSeededRandom(context.Operation, lambda, members))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(descriptor, context.Operation.Syntax.GetLocation(), name));
    }

    /// <summary>The function of a transformation that <paramref name="operation"/> runs in, or null.</summary>
    private static IAnonymousFunctionOperation? TransformationLambda(IOperation operation, PipelinesSymbols symbols)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation lambda &&
                OperationTrees.InvocationTakingLambda(lambda) is { } invocation &&
                (symbols.IsTransformation(invocation) || IsStateMappingFunction(invocation.TargetMethod)))
            {
                return lambda;
            }
        }

        return null;
    }

    /// <summary><c>StateSpec.Function(…)</c>: its lambda runs per key and batch inside <c>MapWithState</c>.</summary>
    private static bool IsStateMappingFunction(IMethodSymbol method) =>
        method.Name == "Function" && method.ContainingType is { Name: "StateSpec" } type && PipelinesSymbols.IsInPipelinesNamespace(type);

    /// <summary>
    /// A call on a <c>Random</c> the transformation made itself (<c>new Random(seed)</c> in the lambda) repeats
    /// on replay; <c>Random.Shared</c> is reported where it is read.
    /// </summary>
    private static bool IsOwnSeededRandom(IOperation operation, IAnonymousFunctionOperation lambda, SuspiciousMembers members)
    {
        if (operation is not IInvocationOperation { Instance: { } instance } || !members.IsRandom(instance.Type))
        {
            return false;
        }

        instance = PipelinesSymbols.WalkDownConversions(instance)!;
        return instance switch
        {
            IObjectCreationOperation => true,
            IPropertyReferenceOperation { Property.Name: "Shared" } shared => members.IsRandom(shared.Property.ContainingType),
            ILocalReferenceOperation local => IsDeclaredIn(local.Local, lambda.Syntax),
            _ => false,
        };
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

    /// <summary>The members PIPE006 and PIPE007 look for, resolved once per compilation.</summary>
    private sealed class SuspiciousMembers
    {
        private readonly Dictionary<INamedTypeSymbol, Kind> _types = new(SymbolEqualityComparer.Default);
        private readonly INamedTypeSymbol? _random;

        public SuspiciousMembers(Microsoft.CodeAnalysis.Compilation compilation)
        {
            Add(compilation, "System.DateTime", Kind.Clock);
            Add(compilation, "System.DateTimeOffset", Kind.Clock);
            Add(compilation, "System.Environment", Kind.Clock);
            Add(compilation, "System.TimeProvider", Kind.Clock);
            Add(compilation, "System.Diagnostics.Stopwatch", Kind.Stopwatch);
            Add(compilation, "System.Guid", Kind.Guid);
            Add(compilation, "System.Random", Kind.Random);
            Add(compilation, "System.Security.Cryptography.RandomNumberGenerator", Kind.SecureRandom);
            Add(compilation, "System.Threading.Thread", Kind.Thread);
            Add(compilation, "System.Threading.Tasks.Task", Kind.Task);
            Add(compilation, "System.Threading.Tasks.Task`1", Kind.Task);
            Add(compilation, "System.Threading.Tasks.ValueTask", Kind.Task);
            Add(compilation, "System.Threading.Tasks.ValueTask`1", Kind.Task);
            Add(compilation, "System.Threading.WaitHandle", Kind.WaitHandle);
            Add(compilation, "System.Threading.SemaphoreSlim", Kind.WaitHandle);
            Add(compilation, "System.Threading.ManualResetEventSlim", Kind.WaitHandle);
            Add(compilation, "System.Runtime.CompilerServices.TaskAwaiter", Kind.Awaiter);
            Add(compilation, "System.Runtime.CompilerServices.TaskAwaiter`1", Kind.Awaiter);
            Add(compilation, "System.Runtime.CompilerServices.ValueTaskAwaiter", Kind.Awaiter);
            Add(compilation, "System.Runtime.CompilerServices.ValueTaskAwaiter`1", Kind.Awaiter);
            Add(compilation, "System.Runtime.CompilerServices.ConfiguredTaskAwaitable+ConfiguredTaskAwaiter", Kind.Awaiter);
            Add(compilation, "System.Runtime.CompilerServices.ConfiguredTaskAwaitable`1+ConfiguredTaskAwaiter", Kind.Awaiter);
            Add(compilation, "System.Runtime.CompilerServices.ConfiguredValueTaskAwaitable+ConfiguredValueTaskAwaiter", Kind.Awaiter);
            Add(compilation, "System.Runtime.CompilerServices.ConfiguredValueTaskAwaitable`1+ConfiguredValueTaskAwaiter", Kind.Awaiter);
            _random = compilation.GetTypeByMetadataName("System.Random");
        }

        private enum Kind
        {
            Clock,
            Stopwatch,
            Guid,
            Random,
            SecureRandom,
            Thread,
            Task,
            WaitHandle,
            Awaiter,
        }

        public bool IsRandom(ITypeSymbol? type) => SymbolEqualityComparer.Default.Equals(type, _random);

        /// <summary>The diagnostic an operation deserves and the name to show, or (null, null).</summary>
        public (DiagnosticDescriptor? Descriptor, string? Name) Classify(IOperation operation)
        {
            var (member, isCreation) = operation switch
            {
                IInvocationOperation invocation => ((ISymbol)invocation.TargetMethod, false),
                IPropertyReferenceOperation property => (property.Property, false),
                IObjectCreationOperation { Constructor: { } constructor } => (constructor, true),
                _ => (null!, false),
            };
            if (member?.ContainingType is not { } type || !_types.TryGetValue(type.OriginalDefinition, out var kind))
            {
                return (null, null);
            }

            var name = type.Name + "." + member.Name;
            var nonDeterministic = kind switch
            {
                Kind.Clock => member.Name is "Now" or "UtcNow" or "Today" or "TickCount" or "TickCount64" or "GetUtcNow" or "GetLocalNow" or "GetTimestamp" or "GetElapsedTime",
                Kind.Stopwatch => isCreation || member.IsStatic,
                Kind.Guid => member.Name is "NewGuid" or "CreateVersion7",
                Kind.Random => isCreation ? ((IMethodSymbol)member).Parameters.Length == 0 : member.Name == "Shared" || !member.IsStatic,
                Kind.SecureRandom => member.IsStatic && !isCreation,
                _ => false,
            };
            if (nonDeterministic)
            {
                return (DiagnosticDescriptors.NonDeterministicCall, isCreation ? "new " + type.Name + "()" : name);
            }

            var blocking = kind switch
            {
                Kind.Thread => member.Name is "Sleep" or "Join",
                Kind.Task => member.Name is "Wait" or "WaitAll" or "WaitAny" or "Result",
                Kind.WaitHandle => member.Name is "WaitOne" or "WaitAll" or "WaitAny" or "Wait",
                Kind.Awaiter => member.Name == "GetResult",
                _ => false,
            };
            return blocking ? (DiagnosticDescriptors.BlockingCall, name) : (null, null);
        }

        private void Add(Microsoft.CodeAnalysis.Compilation compilation, string metadataName, Kind kind)
        {
            if (compilation.GetTypeByMetadataName(metadataName) is { } type)
            {
                _types[type] = kind;
            }
        }
    }
}
