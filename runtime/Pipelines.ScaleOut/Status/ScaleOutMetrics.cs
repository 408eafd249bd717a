using System.Diagnostics.Metrics;

namespace Pipelines.ScaleOut;

/// <summary>
/// The scale-out metrics, on the <c>System.Diagnostics.Metrics</c> meter <see cref="MeterName"/>. Every measurement
/// carries the tags <c>pipelines.application_id</c> and <c>pipelines.instance_id</c>.
/// </summary>
/// <remarks>
/// Instruments: <c>pipelines.scaleout.owned_partitions</c> (gauge), <c>pipelines.scaleout.batches_committed</c>,
/// <c>pipelines.scaleout.input_records</c>, <c>pipelines.scaleout.output_records</c>,
/// <c>pipelines.scaleout.takeovers</c> (a partition restored from the positions topic) and
/// <c>pipelines.scaleout.fenced</c> (a partition's producer fenced by a newer owner).
/// </remarks>
public static class ScaleOutMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Pipelines.ScaleOut";

    internal static readonly Meter Meter = new(MeterName);
    internal static readonly Counter<long> BatchesCommitted = Meter.CreateCounter<long>("pipelines.scaleout.batches_committed", "{batch}", "Partition batches committed (outputs and position in one transaction).");
    internal static readonly Counter<long> InputRecords = Meter.CreateCounter<long>("pipelines.scaleout.input_records", "{record}", "Input records processed in committed batches.");
    internal static readonly Counter<long> OutputRecords = Meter.CreateCounter<long>("pipelines.scaleout.output_records", "{record}", "Output records written in committed batches.");
    internal static readonly Counter<long> Takeovers = Meter.CreateCounter<long>("pipelines.scaleout.takeovers", "{partition}", "Partitions this instance started (restored from the positions topic).");
    internal static readonly Counter<long> Fenced = Meter.CreateCounter<long>("pipelines.scaleout.fenced", "{partition}", "Partitions whose producer was fenced by a newer owner.");
}
