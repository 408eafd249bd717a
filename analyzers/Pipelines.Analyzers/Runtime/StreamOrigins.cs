using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Pipelines.Analyzers.Runtime;

/// <summary>
/// Follows a stream expression back through operators and single-assignment locals to where it came from:
/// the <c>StreamingContext</c> that created its input, when that is visible in the same method.
/// </summary>
internal static class StreamOrigins
{
    private const int MaxDepth = 64;

    /// <summary>
    /// The context expression a stream was created from (e.g. <c>ssc</c> in <c>ssc.QueueStream(q).Map(f)</c>),
    /// or null when the stream comes from a parameter, a field or a call the analyzer cannot see into.
    /// </summary>
    public static IOperation? Context(IOperation? stream, PipelinesSymbols symbols, CancellationToken cancellationToken)
    {
        for (var depth = 0; depth < MaxDepth; depth++)
        {
            stream = PipelinesSymbols.WalkDownConversions(stream);
            switch (stream)
            {
                case ILocalReferenceOperation local when stream.SemanticModel is { } model:
                    stream = LocalValues.SingleValue(local.Local, model, cancellationToken);
                    break;
                case IInvocationOperation invocation when symbols.StreamReceiver(invocation) is { } receiver:
                    stream = receiver;
                    break;
                case IInvocationOperation invocation when symbols.ContextReceiver(invocation) is { } context:
                    return context;
                default:
                    return null;
            }
        }

        return null;
    }

    /// <summary>The symbol a context expression names (a local, parameter, field or property), or null.</summary>
    public static ISymbol? ContextSymbol(IOperation? context) => PipelinesSymbols.WalkDownConversions(context) switch
    {
        ILocalReferenceOperation local => local.Local,
        IParameterReferenceOperation parameter => parameter.Parameter,
        IFieldReferenceOperation field => field.Field,
        IPropertyReferenceOperation property => property.Property,
        _ => null,
    };

    /// <summary>
    /// The <c>new StreamingContext(...)</c> a context expression refers to, when it is created in the same method
    /// (directly, or as the single value of a local); otherwise null.
    /// </summary>
    public static IObjectCreationOperation? Creation(IOperation? context, PipelinesSymbols symbols, CancellationToken cancellationToken)
    {
        context = PipelinesSymbols.WalkDownConversions(context);
        if (context is ILocalReferenceOperation local && context.SemanticModel is { } model)
        {
            context = PipelinesSymbols.WalkDownConversions(LocalValues.SingleValue(local.Local, model, cancellationToken));
        }

        return context is IObjectCreationOperation creation && symbols.IsStreamingContext(creation.Type) ? creation : null;
    }
}
