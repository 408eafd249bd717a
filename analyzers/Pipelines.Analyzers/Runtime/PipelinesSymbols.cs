using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Pipelines.Analyzers.Runtime;

/// <summary>
/// The runtime types the analyzers look for, resolved once per compilation. Operators are matched by name and
/// by living in namespace <c>Pipelines</c> with a <c>DStream&lt;T&gt;</c> receiver, so operators added to the
/// runtime later (windows, state, checkpoints) are recognized without a new analyzer release.
/// </summary>
internal sealed class PipelinesSymbols
{
    private PipelinesSymbols(Microsoft.CodeAnalysis.Compilation compilation, INamedTypeSymbol dStream)
    {
        DStream = dStream;
        StreamingContext = compilation.GetTypeByMetadataName("Pipelines.StreamingContext");
        StreamingOptions = compilation.GetTypeByMetadataName("Pipelines.StreamingOptions");
        StreamingPipelineAttribute = compilation.GetTypeByMetadataName(Definitions.PipelineClasses.AttributeMetadataName);
        TimeSpan = compilation.GetTypeByMetadataName("System.TimeSpan");
    }

    /// <summary><c>Pipelines.DStream&lt;T&gt;</c> (the unbound definition).</summary>
    public INamedTypeSymbol DStream { get; }

    public INamedTypeSymbol? StreamingContext { get; }

    public INamedTypeSymbol? StreamingOptions { get; }

    public INamedTypeSymbol? StreamingPipelineAttribute { get; }

    public INamedTypeSymbol? TimeSpan { get; }

    /// <summary>The symbols, or null when the compilation does not reference the Pipelines runtime.</summary>
    public static PipelinesSymbols? TryCreate(Microsoft.CodeAnalysis.Compilation compilation) =>
        compilation.GetTypeByMetadataName("Pipelines.DStream`1") is { } dStream
            ? new PipelinesSymbols(compilation, dStream)
            : null;

    /// <summary>Whether <paramref name="type"/> is <c>DStream&lt;T&gt;</c> or derives from it.</summary>
    public bool IsDStream(ITypeSymbol? type)
    {
        for (var current = type as INamedTypeSymbol; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, DStream))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The element type <c>T</c> of a <c>DStream&lt;T&gt;</c> (or derived) type.</summary>
    public ITypeSymbol? ElementType(ITypeSymbol? type)
    {
        for (var current = type as INamedTypeSymbol; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, DStream))
            {
                return current.TypeArguments[0];
            }
        }

        return null;
    }

    public bool IsStreamingContext(ITypeSymbol? type) =>
        StreamingContext is not null && SymbolEqualityComparer.Default.Equals(type, StreamingContext);

    public bool IsTimeSpan(ITypeSymbol? type) =>
        TimeSpan is not null && SymbolEqualityComparer.Default.Equals(type, TimeSpan);

    /// <summary>
    /// The stream an operator is applied to: the instance of an instance call, the first argument of an
    /// extension call; null when <paramref name="invocation"/> is not a call of a Pipelines operator on a DStream.
    /// </summary>
    public IOperation? StreamReceiver(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        if (!IsInPipelinesNamespace(method))
        {
            return null;
        }

        IOperation? receiver = invocation.Instance;
        if (receiver is null && method.IsExtensionMethod && invocation.Arguments.Length > 0)
        {
            receiver = FirstArgumentValue(invocation);
        }

        receiver = WalkDownConversions(receiver);
        return receiver is not null && IsDStream(receiver.Type) ? receiver : null;
    }

    /// <summary>A Pipelines operator that builds a new stream from a stream (Map, ReduceByKey, Window…).</summary>
    public bool IsTransformation(IInvocationOperation invocation) =>
        IsDStream(invocation.TargetMethod.ReturnType) && StreamReceiver(invocation) is not null;

    /// <summary>A Pipelines output operation on a stream (Print, ForEachBatch, SaveAsTextFiles…).</summary>
    public bool IsOutput(IInvocationOperation invocation) =>
        invocation.TargetMethod.ReturnsVoid && StreamReceiver(invocation) is not null;

    /// <summary>A method of <c>StreamingContext</c> (or a Pipelines extension method on it) with the given name.</summary>
    public bool IsContextMethod(IMethodSymbol method, string name)
    {
        if (method.Name != name || StreamingContext is null)
        {
            return false;
        }

        if (SymbolEqualityComparer.Default.Equals(method.ContainingType, StreamingContext))
        {
            return true;
        }

        var definition = method.ReducedFrom ?? method;
        return definition.IsExtensionMethod && definition.Parameters.Length > 0 && IsInPipelinesNamespace(definition) &&
               SymbolEqualityComparer.Default.Equals(definition.Parameters[0].Type, StreamingContext);
    }

    /// <summary>
    /// The context a call creates an input stream from (<c>ssc</c> in <c>ssc.QueueStream(q)</c>, also for Pipelines
    /// extension methods on <c>StreamingContext</c>), or null when the call does not create a stream from a context.
    /// </summary>
    public IOperation? ContextReceiver(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        if (StreamingContext is null || !IsDStream(method.ReturnType))
        {
            return null;
        }

        if (invocation.Instance is { } instance && SymbolEqualityComparer.Default.Equals(method.ContainingType, StreamingContext))
        {
            return WalkDownConversions(instance);
        }

        if (method.IsExtensionMethod && invocation.Instance is null && IsInPipelinesNamespace(method) && FirstArgumentValue(invocation) is { } first &&
            IsStreamingContext(WalkDownConversions(first)?.Type))
        {
            return WalkDownConversions(first);
        }

        return null;
    }

    /// <summary>Whether a symbol is declared in namespace <c>Pipelines</c> (exactly, not a child namespace).</summary>
    public static bool IsInPipelinesNamespace(ISymbol symbol)
    {
        var ns = symbol.ContainingNamespace;
        return ns is { Name: "Pipelines", ContainingNamespace.IsGlobalNamespace: true };
    }

    public static IOperation? WalkDownConversions(IOperation? operation)
    {
        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        return operation;
    }

    private static IOperation? FirstArgumentValue(IInvocationOperation invocation)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.Ordinal == 0)
            {
                return argument.Value;
            }
        }

        return null;
    }
}
