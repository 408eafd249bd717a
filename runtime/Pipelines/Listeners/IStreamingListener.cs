namespace Pipelines;

/// <summary>
/// Receives events about the streaming computation (Spark's <c>StreamingListener</c>). Every method has an
/// empty default; implement the ones you need. Calls come from the runtime's threads and must be quick; an
/// exception thrown by a listener is logged and ignored.
/// </summary>
public interface IStreamingListener
{
    /// <summary>The context started.</summary>
    void OnStreamingStarted(BatchTime zeroTime) { }

    /// <summary>A batch was cut from the inputs and queued.</summary>
    void OnBatchSubmitted(BatchInfo batch) { }

    /// <summary>A batch started processing.</summary>
    void OnBatchStarted(BatchInfo batch) { }

    /// <summary>A batch finished; <see cref="BatchInfo.Failure"/> says whether it failed.</summary>
    void OnBatchCompleted(BatchInfo batch) { }

    /// <summary>An output operation started on a batch.</summary>
    void OnOutputOperationStarted(OutputOperationInfo output) { }

    /// <summary>An output operation finished on a batch.</summary>
    void OnOutputOperationCompleted(OutputOperationInfo output) { }

    /// <summary>A receiver started.</summary>
    void OnReceiverStarted(ReceiverInfo receiver) { }

    /// <summary>A receiver reported an error (it may be restarting).</summary>
    void OnReceiverError(ReceiverInfo receiver) { }

    /// <summary>A receiver stopped.</summary>
    void OnReceiverStopped(ReceiverInfo receiver) { }

    /// <summary>
    /// The context is falling behind: the scheduling delay grew over several batches in a row and exceeds the batch
    /// interval (Spark's stability rule). Raised once per episode, before the batch in <paramref name="info"/> runs.
    /// </summary>
    void OnFallingBehind(FallingBehindInfo info) { }

    /// <summary>The context caught up after <see cref="OnFallingBehind"/>: a batch started within one batch interval.</summary>
    void OnCaughtUp(FallingBehindInfo info) { }

    /// <summary>The context wrote a checkpoint: its batch time, how long writing took and its size.</summary>
    void OnCheckpointWritten(CheckpointInfo checkpoint) { }

    /// <summary>
    /// Whether this listener wants <see cref="OnStreamComputed"/>. Timing each stream costs two clock reads and
    /// one event per stream per batch (never per record), so the context measures streams only while a listener
    /// asks for it; read when the listener is added.
    /// </summary>
    bool WantsStreamTimings => false;

    /// <summary>
    /// A stream computed its batch: the time spent in its own operator (for a compiled pipeline, its fused stage),
    /// its records and partitions. Raised on the job thread, once per stream per batch, and delivered only to the
    /// listeners whose <see cref="WantsStreamTimings"/> is true.
    /// </summary>
    void OnStreamComputed(StreamComputedInfo stream) { }
}

/// <summary>The figures behind a falling-behind or caught-up event.</summary>
/// <param name="BatchTime">The batch that was about to run.</param>
/// <param name="SchedulingDelay">How long it waited between being cut and starting.</param>
/// <param name="QueuedBatches">Batches waiting behind it.</param>
/// <param name="BatchInterval">The context's batch interval.</param>
public sealed record FallingBehindInfo(BatchTime BatchTime, TimeSpan SchedulingDelay, int QueuedBatches, TimeSpan BatchInterval);

/// <summary>What is known about a batch (Spark's <c>BatchInfo</c>).</summary>
/// <param name="BatchTime">The batch's time.</param>
/// <param name="NumRecords">Records that the input streams contributed.</param>
/// <param name="SubmissionTime">When the batch was queued.</param>
/// <param name="ProcessingStartTime">When processing started, once it did.</param>
/// <param name="ProcessingEndTime">When processing ended, once it did.</param>
/// <param name="Failure">The error that failed the batch, if any.</param>
public sealed record BatchInfo(
    BatchTime BatchTime,
    long NumRecords,
    DateTimeOffset SubmissionTime,
    DateTimeOffset? ProcessingStartTime = null,
    DateTimeOffset? ProcessingEndTime = null,
    Exception? Failure = null)
{
    /// <summary>Time from submission to the start of processing.</summary>
    public TimeSpan? SchedulingDelay => ProcessingStartTime - SubmissionTime;

    /// <summary>Time spent processing.</summary>
    public TimeSpan? ProcessingDelay => ProcessingEndTime - ProcessingStartTime;

    /// <summary>Scheduling delay plus processing delay.</summary>
    public TimeSpan? TotalDelay => ProcessingEndTime - SubmissionTime;

    /// <summary>
    /// The records each input stream contributed, by input id (<see cref="InputDescription.InputId"/>; Spark's
    /// <c>streamIdToInputInfo</c>): the per-receiver and per-source input rates. Empty for a batch replayed from a
    /// checkpoint, whose per-input split is not recorded (its <see cref="NumRecords"/> still is).
    /// </summary>
    public IReadOnlyDictionary<int, long> InputRecords { get; init; } = EmptyInputRecords;

    private static readonly IReadOnlyDictionary<int, long> EmptyInputRecords = new Dictionary<int, long>();
}

/// <summary>What is known about one output operation on one batch.</summary>
/// <param name="BatchTime">The batch's time.</param>
/// <param name="Id">The output's position in registration order, from 0.</param>
/// <param name="Name">The output operation (<c>Print</c>, <c>ForEachBatch</c>, ...).</param>
/// <param name="Failure">The error, if it failed.</param>
public sealed record OutputOperationInfo(BatchTime BatchTime, int Id, string Name, Exception? Failure = null);

/// <summary>What is known about a receiver.</summary>
/// <param name="StreamId">The id of the input stream the receiver feeds.</param>
/// <param name="Name">The receiver's type name.</param>
/// <param name="Message">The last message it reported.</param>
/// <param name="Error">The last error it reported.</param>
public sealed record ReceiverInfo(int StreamId, string Name, string? Message = null, Exception? Error = null);
