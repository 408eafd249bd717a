using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Pipelines.Analyzers.Runtime;

namespace Pipelines.Analyzers.Lifecycle;

/// <summary>
/// What one method body does with streams and contexts, gathered in one walk of its operation tree. The
/// lifecycle analyzers run this only when they meet a call that needs it (a <c>Start()</c>, a stateful
/// operator), so ordinary code pays nothing.
/// </summary>
internal sealed class MethodFacts
{
    /// <summary>Whether any output operation (Print, ForEachBatch, SaveAsTextFiles…) is registered.</summary>
    public bool HasOutput { get; private set; }

    /// <summary>Whether a checkpoint directory is set (Checkpoint(dir), GetOrCreate, or StreamingOptions.CheckpointDirectory).</summary>
    public bool SetsCheckpoint { get; private set; }

    /// <summary>
    /// Whether a stream or a context is handed to code outside the Pipelines runtime (a user method or
    /// constructor, a field or property) that may register outputs or set a checkpoint where this analysis
    /// cannot see.
    /// </summary>
    public bool HandsOffStreams { get; private set; }

    public static MethodFacts Gather(IOperation anyOperationInMethod, PipelinesSymbols symbols, CancellationToken cancellationToken)
    {
        var facts = new MethodFacts();
        foreach (var operation in OperationTrees.Root(anyOperationInMethod).Descendants())
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (operation)
            {
                case IInvocationOperation invocation:
                    facts.Visit(invocation, symbols);
                    break;
                case IObjectCreationOperation creation when creation.Constructor is { } constructor && !PipelinesSymbols.IsInPipelinesNamespace(constructor):
                    facts.VisitArguments(creation.Arguments, symbols);
                    break;
                case ISimpleAssignmentOperation { Target: not ILocalReferenceOperation and not IDiscardOperation } assignment
                    when IsStreamOrContext(assignment.Value, symbols):
                    // Stored in a field or property: other code can reach it.
                    facts.HandsOffStreams = true;
                    break;
                case ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property: { Name: "CheckpointDirectory" } property } }
                    when SymbolEqualityComparer.Default.Equals(property.ContainingType, symbols.StreamingOptions):
                    facts.SetsCheckpoint = true;
                    break;
            }
        }

        return facts;
    }

    private void Visit(IInvocationOperation invocation, PipelinesSymbols symbols)
    {
        var method = invocation.TargetMethod;
        if (symbols.IsOutput(invocation))
        {
            HasOutput = true;
        }

        if (symbols.IsContextMethod(method, "Checkpoint") || symbols.IsContextMethod(method, "GetOrCreate"))
        {
            SetsCheckpoint = true;
        }

        if (!PipelinesSymbols.IsInPipelinesNamespace(method.ContainingType))
        {
            VisitArguments(invocation.Arguments, symbols);
        }
    }

    private void VisitArguments(System.Collections.Immutable.ImmutableArray<IArgumentOperation> arguments, PipelinesSymbols symbols)
    {
        foreach (var argument in arguments)
        {
            if (IsStreamOrContext(argument.Value, symbols))
            {
                HandsOffStreams = true;
            }
        }
    }

    private static bool IsStreamOrContext(IOperation value, PipelinesSymbols symbols)
    {
        var type = PipelinesSymbols.WalkDownConversions(value)?.Type;
        return symbols.IsDStream(type) || symbols.IsStreamingContext(type);
    }
}
