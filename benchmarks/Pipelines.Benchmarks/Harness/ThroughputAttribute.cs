namespace Pipelines.Benchmarks.Harness;

/// <summary>
/// How many input records one benchmark operation processes, so results convert to throughput
/// (records per second) for the chart.
/// </summary>
/// <param name="workload">The workload's short name, e.g. "W1 map-filter-sum".</param>
/// <param name="recordsPerOperation">Input records per operation.</param>
/// <param name="unit">What a record is, e.g. "ints" or "lines".</param>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ThroughputAttribute(string workload, long recordsPerOperation, string unit) : Attribute
{
    /// <summary>The workload's short name.</summary>
    public string Workload { get; } = workload;

    /// <summary>Input records per operation.</summary>
    public long RecordsPerOperation { get; } = recordsPerOperation;

    /// <summary>What a record is.</summary>
    public string Unit { get; } = unit;
}
