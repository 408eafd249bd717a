namespace Pipelines;

/// <summary>
/// The names under which Pipelines publishes its figures through <see cref="System.Diagnostics.Metrics"/>,
/// for a <c>MeterListener</c>, OpenTelemetry or <c>dotnet-counters monitor --counters Pipelines</c>.
/// </summary>
public static class StreamingMetrics
{
    /// <summary>The meter: <c>Pipelines</c>.</summary>
    public const string MeterName = "Pipelines";

    /// <summary>Counter of batches whose outputs all succeeded.</summary>
    public const string BatchesCompleted = "pipelines.batches.completed";

    /// <summary>Counter of batches that failed.</summary>
    public const string BatchesFailed = "pipelines.batches.failed";

    /// <summary>Counter of records the inputs contributed to batches.</summary>
    public const string RecordsReceived = "pipelines.records.received";

    /// <summary>Counter of errors reported by receivers.</summary>
    public const string ReceiverErrors = "pipelines.receiver.errors";

    /// <summary>Histogram (ms) of the time from a batch's submission to the start of its processing.</summary>
    public const string SchedulingDelay = "pipelines.batch.scheduling_delay";

    /// <summary>Histogram (ms) of the time spent processing a batch.</summary>
    public const string ProcessingDelay = "pipelines.batch.processing_delay";

    /// <summary>Histogram (ms) of scheduling plus processing delay.</summary>
    public const string TotalDelay = "pipelines.batch.total_delay";

    /// <summary>Up-down counter of batches cut and waiting behind the batch in flight.</summary>
    public const string BatchesQueued = "pipelines.batches.queued";

    /// <summary>Counter of batch times at which no batch was cut because <see cref="StreamingOptions.MaxQueuedBatches"/> batches were queued.</summary>
    public const string BatchesDeferred = "pipelines.batches.deferred";

    /// <summary>Counter of the times the context started falling behind (see <see cref="IStreamingListener.OnFallingBehind"/>).</summary>
    public const string FallingBehind = "pipelines.falling_behind";

    /// <summary>Counter of records skipped because they are longer than <see cref="StreamingOptions.MaxRecordLength"/>.</summary>
    public const string RecordsTooLong = "pipelines.records.too_long";

    /// <summary>Counter of records that event-time operators dropped because their event time was before the watermark (tag <c>operator</c>).</summary>
    public const string LateRecords = "pipelines.eventtime.late_records";

    /// <summary>Histogram (ms) of the time spent writing a checkpoint (see <see cref="IStreamingListener.OnCheckpointWritten"/>).</summary>
    public const string CheckpointWriteTime = "pipelines.checkpoint.write_time";

    /// <summary>Histogram (bytes) of the size of each checkpoint written.</summary>
    public const string CheckpointSize = "pipelines.checkpoint.size";

    /// <summary>
    /// Histogram (ms) of the time a stream's own operator (for a compiled pipeline, its fused stage) took on a batch,
    /// tagged <see cref="StreamTag"/> and <see cref="StreamIdTag"/>. Recorded only while a listener asks for stream
    /// timings (<see cref="IStreamingListener.WantsStreamTimings"/>), e.g. the dashboard.
    /// </summary>
    public const string StreamComputeTime = "pipelines.stream.compute_time";

    /// <summary>Gauge of the keys a stream holds between batches (keyed state, an incremental window's result), tagged <see cref="StreamTag"/>, <see cref="StreamIdTag"/> and <see cref="ApplicationTag"/>.</summary>
    public const string StateKeys = "pipelines.stream.state_keys";

    /// <summary>Gauge (bytes) of the shallow size estimate of a stream's keyed data (see <see cref="StreamDescription.EstimatedStateBytes"/>).</summary>
    public const string StateBytes = "pipelines.stream.state_bytes";

    /// <summary>Gauge of the parent batches a window holds (see <see cref="StreamDescription.WindowBatchesHeld"/>).</summary>
    public const string WindowBatchesHeld = "pipelines.stream.window_batches";

    /// <summary>Gauge (records/s) of an input's current rate limit set by backpressure, tagged <see cref="InputTag"/>, <see cref="InputIdTag"/> and <see cref="ApplicationTag"/>.</summary>
    public const string InputRateLimit = "pipelines.input.rate_limit";

    /// <summary>Gauge (bytes) of the size on disk of an input's write-ahead log.</summary>
    public const string WriteAheadLogBytes = "pipelines.input.wal_bytes";

    /// <summary>The tag naming a stream's operator.</summary>
    public const string StreamTag = "pipelines.stream";

    /// <summary>The tag with a stream's id (<see cref="StreamDescription.Id"/>).</summary>
    public const string StreamIdTag = "pipelines.stream.id";

    /// <summary>The tag naming an input.</summary>
    public const string InputTag = "pipelines.input";

    /// <summary>The tag with an input's id (<see cref="InputDescription.InputId"/>).</summary>
    public const string InputIdTag = "pipelines.input.id";

    /// <summary>The tag with the context's <see cref="StreamingContext.ApplicationId"/> (gauges read every running context).</summary>
    public const string ApplicationTag = "pipelines.application";
}
