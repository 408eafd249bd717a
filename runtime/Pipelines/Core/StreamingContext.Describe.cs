using Pipelines.Sources;
using Pipelines.Stateful;

namespace Pipelines;

/// <summary>Snapshots of the running streams and inputs, for dashboards and metrics.</summary>
public sealed partial class StreamingContext
{
    /// <summary>
    /// Describes every stream the outputs depend on (dependencies before dependents): its kind, the batches it
    /// remembers, the keyed state or window data it holds, and the partitions of its newest batch. Empty before
    /// <see cref="Start"/>.
    /// </summary>
    /// <remarks>
    /// Safe from any thread while the context runs. The figures are read without stopping the batch in flight (the
    /// batch path takes no extra lock for them), so during a batch they may mix the state before and after it;
    /// between batches they are exact. Per-batch timings of each stream come through
    /// <see cref="IStreamingListener.OnStreamComputed"/>.
    /// </remarks>
    /// <example>
    /// <code>
    /// foreach (var stream in ssc.DescribeStreams())
    /// {
    ///     Console.WriteLine($"{stream.Id} {stream.Name}: {stream.StateKeys} keys, ~{stream.EstimatedStateBytes} bytes");
    /// }
    /// </code>
    /// </example>
    public IReadOnlyList<StreamDescription> DescribeStreams()
    {
        if (Graph is not { } graph)
        {
            return [];
        }

        var streams = graph.Streams;
        var result = new StreamDescription[streams.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var stream = streams[i];
            var dependencies = stream.Dependencies;
            var ids = new int[dependencies.Count];
            for (var d = 0; d < ids.Length; d++)
            {
                ids[d] = dependencies[d].GraphId;
            }

            var (batches, records, partitions) = stream is IRememberedBatches remembered ? remembered.RememberedFigures() : (0, 0L, null);
            var description = new StreamDescription(
                stream.GraphId,
                stream.Name,
                stream is IInputDStream ? StreamKind.Input : StreamKind.Transformation,
                stream.SlideDuration,
                ids,
                batches,
                records,
                partitions);
            result[i] = stream is IDescribedStream described ? described.Describe(description) : description;
        }

        return result;
    }

    /// <summary>
    /// Describes every input stream, in creation order: the rate it may take now (backpressure) and the size of its
    /// write-ahead log.
    /// </summary>
    /// <remarks>Safe from any thread; the write-ahead log's size is read from disk on each call.</remarks>
    public IReadOnlyList<InputDescription> DescribeInputs()
    {
        IInputDStream[] inputs;
        lock (_gate)
        {
            inputs = [.. _inputs];
        }

        var result = new InputDescription[inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
        {
            var input = inputs[i];
            var stream = input as DStream;
            double? rate = input.RateLimit is { } limit && !double.IsPositiveInfinity(limit) ? limit : null;
            result[i] = new InputDescription(
                input.Id,
                stream is { GraphId: >= 0 } ? stream.GraphId : null,
                stream?.Name ?? input.GetType().Name,
                rate,
                input.WriteAheadLogBytes);
        }

        return result;
    }

    private static void AssignStreamIds(StreamGraph graph)
    {
        var streams = graph.Streams;
        for (var i = 0; i < streams.Count; i++)
        {
            streams[i].GraphId = i;
        }
    }
}
