using System.Diagnostics.Metrics;

namespace Pipelines;

/// <summary>Publishes batch figures through <see cref="System.Diagnostics.Metrics"/> under the meter <c>Pipelines</c>.</summary>
internal sealed class MetricsListener : IStreamingListener
{
    /// <summary>The name of the meter.</summary>
    public const string MeterName = "Pipelines";

    private static readonly Meter Meter = new(MeterName, "0.1.0");
    private static readonly Counter<long> BatchesCompleted = Meter.CreateCounter<long>("pipelines.batches.completed", description: "Batches that finished");
    private static readonly Counter<long> BatchesFailed = Meter.CreateCounter<long>("pipelines.batches.failed", description: "Batches that failed");
    private static readonly Counter<long> RecordsReceived = Meter.CreateCounter<long>("pipelines.records.received", description: "Records the inputs contributed to batches");
    private static readonly Counter<long> ReceiverErrors = Meter.CreateCounter<long>("pipelines.receiver.errors", description: "Errors reported by receivers");
    private static readonly Histogram<double> SchedulingDelay = Meter.CreateHistogram<double>("pipelines.batch.scheduling_delay", "ms");
    private static readonly Histogram<double> ProcessingDelay = Meter.CreateHistogram<double>("pipelines.batch.processing_delay", "ms");
    private static readonly Histogram<double> TotalDelay = Meter.CreateHistogram<double>("pipelines.batch.total_delay", "ms");

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
