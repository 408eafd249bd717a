using System.Diagnostics.Metrics;

namespace Pipelines;

/// <summary>Publishes batch figures through <see cref="System.Diagnostics.Metrics"/> under the meter <c>Pipelines</c>.</summary>
internal sealed class MetricsListener : IStreamingListener
{
    private static readonly Meter Meter = new(StreamingMetrics.MeterName, "0.1.0");
    private static readonly Counter<long> BatchesCompleted = Meter.CreateCounter<long>(StreamingMetrics.BatchesCompleted, description: "Batches whose outputs all succeeded");
    private static readonly Counter<long> BatchesFailed = Meter.CreateCounter<long>(StreamingMetrics.BatchesFailed, description: "Batches that failed");
    private static readonly Counter<long> RecordsReceived = Meter.CreateCounter<long>(StreamingMetrics.RecordsReceived, description: "Records the inputs contributed to batches");
    private static readonly Counter<long> ReceiverErrors = Meter.CreateCounter<long>(StreamingMetrics.ReceiverErrors, description: "Errors reported by receivers");
    private static readonly Histogram<double> SchedulingDelay = Meter.CreateHistogram<double>(StreamingMetrics.SchedulingDelay, "ms", "Time from a batch's submission to the start of its processing");
    private static readonly Histogram<double> ProcessingDelay = Meter.CreateHistogram<double>(StreamingMetrics.ProcessingDelay, "ms", "Time spent processing a batch");
    private static readonly Histogram<double> TotalDelay = Meter.CreateHistogram<double>(StreamingMetrics.TotalDelay, "ms", "Scheduling delay plus processing delay");

    /// <summary>Batches cut and waiting behind the batch in flight.</summary>
    internal static readonly UpDownCounter<long> BatchesQueued = Meter.CreateUpDownCounter<long>(StreamingMetrics.BatchesQueued, description: "Batches waiting behind the batch in flight");

    /// <summary>Batch times at which no batch was cut because the queue was full.</summary>
    internal static readonly Counter<long> BatchesDeferred = Meter.CreateCounter<long>(StreamingMetrics.BatchesDeferred, description: "Batch times skipped because MaxQueuedBatches batches were queued");

    /// <summary>Times the context started falling behind.</summary>
    internal static readonly Counter<long> FallingBehind = Meter.CreateCounter<long>(StreamingMetrics.FallingBehind, description: "Times the scheduling delay kept growing past the batch interval");

    /// <summary>Records skipped because they exceed MaxRecordLength.</summary>
    internal static readonly Counter<long> RecordsTooLong = Meter.CreateCounter<long>(StreamingMetrics.RecordsTooLong, description: "Records skipped because they are longer than MaxRecordLength");

    public void OnBatchCompleted(BatchInfo batch)
    {
        (batch.Failure is null ? BatchesCompleted : BatchesFailed).Add(1);
        RecordsReceived.Add(batch.NumRecords);
        if (batch.SchedulingDelay is { } scheduling)
        {
            SchedulingDelay.Record(scheduling.TotalMilliseconds);
        }

        if (batch.ProcessingDelay is { } processing)
        {
            ProcessingDelay.Record(processing.TotalMilliseconds);
        }

        if (batch.TotalDelay is { } total)
        {
            TotalDelay.Record(total.TotalMilliseconds);
        }
    }

    public void OnReceiverError(ReceiverInfo receiver) => ReceiverErrors.Add(1);
}
