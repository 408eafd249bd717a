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

    private static readonly Histogram<double> CheckpointWriteTime = Meter.CreateHistogram<double>(StreamingMetrics.CheckpointWriteTime, "ms", "Time spent writing a checkpoint");
    private static readonly Histogram<long> CheckpointSize = Meter.CreateHistogram<long>(StreamingMetrics.CheckpointSize, "By", "Size of a checkpoint file");
    private static readonly Histogram<double> StreamComputeTime = Meter.CreateHistogram<double>(StreamingMetrics.StreamComputeTime, "ms", "Time a stream's own operator (or fused stage) took on a batch; only while a listener asks for stream timings");

    /// <summary>The meter, for the gauges that read live contexts (<see cref="StreamingGauges"/>).</summary>
    internal static Meter SharedMeter => Meter;

    /// <summary>Batches cut and waiting behind the batch in flight.</summary>
    internal static readonly UpDownCounter<long> BatchesQueued = Meter.CreateUpDownCounter<long>(StreamingMetrics.BatchesQueued, description: "Batches waiting behind the batch in flight");

    /// <summary>Batch times at which no batch was cut because the queue was full.</summary>
    internal static readonly Counter<long> BatchesDeferred = Meter.CreateCounter<long>(StreamingMetrics.BatchesDeferred, description: "Batch times skipped because MaxQueuedBatches batches were queued");

    /// <summary>Records the event-time operators dropped because they were later than the watermark (tag <c>operator</c>).</summary>
    internal static readonly Counter<long> LateRecords = Meter.CreateCounter<long>(StreamingMetrics.LateRecords, description: "Records dropped by event-time operators because they were later than the watermark");

    /// <summary>Times the context started falling behind.</summary>
    internal static readonly Counter<long> FallingBehind = Meter.CreateCounter<long>(StreamingMetrics.FallingBehind, description: "Times the scheduling delay kept growing past the batch interval");

    /// <summary>Records skipped because they exceed MaxRecordLength.</summary>
    internal static readonly Counter<long> RecordsTooLong = Meter.CreateCounter<long>(StreamingMetrics.RecordsTooLong, description: "Records skipped because they are longer than MaxRecordLength");

    /// <summary>
    /// Records a finished batch's figures (called by the job loop for every batch, without building a
    /// <see cref="BatchInfo"/>: a warm batch allocates nothing for its metrics).
    /// </summary>
    public static void RecordBatch(bool failed, long records, TimeSpan schedulingDelay, TimeSpan processingDelay)
    {
        (failed ? BatchesFailed : BatchesCompleted).Add(1);
        RecordsReceived.Add(records);
        SchedulingDelay.Record(schedulingDelay.TotalMilliseconds);
        ProcessingDelay.Record(processingDelay.TotalMilliseconds);
        TotalDelay.Record((schedulingDelay + processingDelay).TotalMilliseconds);
    }

    public void OnReceiverError(ReceiverInfo receiver) => ReceiverErrors.Add(1);

    public void OnCheckpointWritten(CheckpointInfo checkpoint)
    {
        CheckpointWriteTime.Record(checkpoint.Duration.TotalMilliseconds);
        CheckpointSize.Record(checkpoint.Bytes);
    }

    public void OnStreamComputed(StreamComputedInfo stream) =>
        StreamComputeTime.Record(stream.OwnTime.TotalMilliseconds, new KeyValuePair<string, object?>(StreamingMetrics.StreamTag, stream.Name), new KeyValuePair<string, object?>(StreamingMetrics.StreamIdTag, stream.StreamId));
}
