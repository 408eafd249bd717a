using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Pipelines.Analyzers.Runtime;

namespace Pipelines.Analyzers.Windows;

/// <summary>
/// The slide of the stream a window is applied to, when it is known at compile time: the slide of the nearest
/// windowed operator upstream, or else the batch interval of a context created in the same method.
/// </summary>
internal static class ParentSlides
{
    private const int MaxDepth = 64;

    /// <summary>The parent's slide in ticks and how to name it in a message, or null when unknown.</summary>
    public static (long Ticks, string Description)? Find(IOperation? stream, PipelinesSymbols symbols, CancellationToken cancellationToken)
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
                    if (WindowArguments.IsWindowOperator(invocation.TargetMethod))
                    {
                        var window = WindowArguments.Find(invocation, symbols);
                        if (WindowArguments.IsGiven(window.Slide))
                        {
                            return ConstantDurations.TryGetTicks(window.Slide!.Value, symbols, cancellationToken) is { } slide
                                ? (slide, $"the slide of the parent '{invocation.TargetMethod.Name}'")
                                : null;
                        }
                    }

                    stream = receiver;
                    break;
                case IInvocationOperation invocation when symbols.ContextReceiver(invocation) is { } context:
                    return BatchInterval(context, symbols, cancellationToken);
                default:
                    return null;
            }
        }

        return null;
    }

    private static (long, string)? BatchInterval(IOperation context, PipelinesSymbols symbols, CancellationToken cancellationToken)
    {
        if (StreamOrigins.Creation(context, symbols, cancellationToken) is not { } creation)
        {
            return null;
        }

        foreach (var argument in creation.Arguments)
        {
            if (argument.Parameter is { Ordinal: 0 } parameter && symbols.IsTimeSpan(parameter.Type))
            {
                return ConstantDurations.TryGetTicks(argument.Value, symbols, cancellationToken) is { } ticks
                    ? (ticks, "the batch interval")
                    : null;
            }
        }

        return null;
    }
}
