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
}
