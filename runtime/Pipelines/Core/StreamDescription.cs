namespace Pipelines;

/// <summary>What kind of work a stream does, in <see cref="StreamDescription"/>.</summary>
public enum StreamKind
{
    /// <summary>An input stream (receiver, files, queue, direct input).</summary>
    Input,

    /// <summary>A per-batch transformation (narrow operators, shuffles, compiled stages, unions, joins).</summary>
    Transformation,

    /// <summary>A window over past batches (<c>Window</c>, <c>ReduceByKeyAndWindow</c>, ...).</summary>
    Window,

    /// <summary>Keyed state carried from batch to batch (<c>UpdateStateByKey</c>, <c>MapWithState</c>).</summary>
    State,
}

/// <summary>
/// A snapshot of one stream of a running context (see <see cref="StreamingContext.DescribeStreams"/>): what it
/// remembers, the state or window data it holds and how its last batch was partitioned.
/// </summary>
/// <param name="Id">The stream's id: its position in the context's stream graph, dependencies before dependents.</param>
/// <param name="Name">The stream's operator (<c>Map</c>, <c>ReduceByKey</c>, <c>WordCount.Compile</c>, ...).</param>
/// <param name="Kind">What kind of work it does.</param>
/// <param name="SlideDuration">The interval at which it produces batches.</param>
/// <param name="DependencyIds">The ids of the streams it is computed from.</param>
/// <param name="RememberedBatches">Computed batches it keeps (for its consumers, windows and <c>Slice</c>).</param>
/// <param name="RememberedRecords">Records in those batches.</param>
/// <param name="Partitions">Partitions of its newest remembered batch; <c>null</c> when it remembers none.</param>
/// <param name="StateKeys">
/// Keys it holds between batches: the keyed state of <see cref="StreamKind.State"/> streams, the last window's
/// result of an incremental window; <c>null</c> for streams that hold no keyed data.
/// </param>
/// <param name="EstimatedStateBytes">
/// A shallow estimate of the memory its keyed data takes: entries times the size of a key, a value and the hash
/// table's own fields, where a reference counts as one pointer (strings and other objects the entries point to are
/// not included); <c>null</c> when <paramref name="StateKeys"/> is.
/// </param>
/// <param name="WindowBatchesHeld">
/// For a window: the parent batches it still holds (an incremental window keeps each reduced by key; a plain
/// window reads the batches its parent remembers); <c>null</c> for other streams.
/// </param>
/// <param name="WindowRecordsHeld">Records (or, for an incremental window, reduced key/value entries) in those batches; <c>null</c> for other streams.</param>
public sealed record StreamDescription(
    int Id,
    string Name,
    StreamKind Kind,
    TimeSpan SlideDuration,
    IReadOnlyList<int> DependencyIds,
    int RememberedBatches,
    long RememberedRecords,
    int? Partitions,
    long? StateKeys = null,
    long? EstimatedStateBytes = null,
    int? WindowBatchesHeld = null,
    long? WindowRecordsHeld = null);

/// <summary>
/// A snapshot of one input stream of a running context (see <see cref="StreamingContext.DescribeInputs"/>): its
/// current rate limit (set by backpressure) and its write-ahead log.
/// </summary>
/// <param name="InputId">The input's id, in creation order (the <see cref="ReceiverInfo.StreamId"/> of its receiver).</param>
/// <param name="StreamId">The id of the same stream in <see cref="StreamingContext.DescribeStreams"/>; <c>null</c> when no output depends on it.</param>
/// <param name="Name">The input's name (<c>SocketTextStream</c>, <c>TextFileStream</c>, ...).</param>
/// <param name="RateLimit">
/// Records per second the input may take now: the backpressure estimate (Spark's PID rate estimator) capped by
/// <see cref="BackpressureOptions.MaxRatePerReceiver"/>; <c>null</c> when the input is not rate-limited.
/// </param>
/// <param name="WriteAheadLogBytes">The size on disk of its write-ahead log; <c>null</c> when it has none.</param>
public sealed record InputDescription(int InputId, int? StreamId, string Name, double? RateLimit, long? WriteAheadLogBytes);
