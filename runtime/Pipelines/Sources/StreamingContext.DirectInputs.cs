using Pipelines.Sources;

namespace Pipelines;

/// <summary>Replayable direct inputs.</summary>
public sealed partial class StreamingContext
{
    /// <summary>
    /// A stream over a replayable direct input: at each batch time the input decides the batch's range, which is
    /// journaled before the batch is queued and saved in checkpoints; the batch reads exactly that range, also when
    /// it runs again after recovery. See <see cref="DirectInput{T, TRange, TPosition}"/>.
    /// </summary>
    /// <param name="input">The input; one input belongs to one stream.</param>
    /// <param name="name">The stream's operator name (part of the checkpointed stream graph).</param>
    /// <exception cref="InvalidOperationException"><paramref name="input"/> already belongs to a stream.</exception>
    public DStream<T> DirectStream<T, TRange, TPosition>(DirectInput<T, TRange, TPosition> input, string name = "DirectStream")
        where TRange : notnull
        where TPosition : notnull
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (input.Stream is not null)
        {
            throw new InvalidOperationException("This direct input already belongs to a stream; create one input per stream.");
        }

        var stream = Register(new DirectInputDStream<T, TRange, TPosition>(this, input, name));
        input.Registration = stream;
        input.Stream = stream;
        return stream;
    }
}
