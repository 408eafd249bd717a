namespace Pipelines.Dashboard;

/// <summary>How <see cref="DStreamDashboardExtensions.ToDashboard"/> shows a stream's batches.</summary>
public sealed class ResultsDashboardOptions
{
    /// <summary>Rows of the latest batch shown in the table (default 20).</summary>
    public int MaxRows { get; init; } = 20;

    /// <summary>
    /// Column headers. By default: <c>Value</c> for a single value, <c>Key</c>/<c>Value</c> for a pair,
    /// <c>Item1</c>… for larger tuples, and the property names of other records.
    /// </summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>Sorts the rows by their first numeric column, largest first (default true): a "top N" table.</summary>
    public bool SortByValueDescending { get; init; } = true;

    /// <summary>Batches of history kept for the chart (default 120).</summary>
    public int RetainedBatches { get; init; } = 120;

    /// <summary>Lines drawn in the chart: the first rows of the latest batch (default 5).</summary>
    public int MaxSeries { get; init; } = 5;
}
