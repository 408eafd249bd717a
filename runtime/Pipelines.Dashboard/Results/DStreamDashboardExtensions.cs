using Pipelines.Dashboard.Hosting;
using Pipelines.Dashboard.Results;

namespace Pipelines.Dashboard;

/// <summary>Pushes a stream's batches to the dashboard page (Spark's "live dashboards").</summary>
public static class DStreamDashboardExtensions
{
    /// <summary>
    /// Shows each batch of <paramref name="stream"/> (or each window, for a windowed stream) on the context's
    /// dashboard as a live table, and its numeric values as a time-series chart. An output operation: call it
    /// before <see cref="StreamingContext.Start"/>; serve the page with
    /// <see cref="StreamingContextDashboardExtensions.UseDashboard"/>.
    /// </summary>
    /// <example>
    /// <code>
    /// var top = words.Map(w => (w, 1)).ReduceByKeyAndWindow((a, b) => a + b, TimeSpan.FromSeconds(30));
    /// top.ToDashboard("Top words", new ResultsDashboardOptions { MaxRows = 10, Columns = ["Word", "Count"] });
    /// await using var dashboard = ssc.UseDashboard(new DashboardOptions { Port = 0 });
    /// ssc.Start();
    /// </code>
    /// </example>
    /// <param name="stream">The stream to show.</param>
    /// <param name="title">The heading of its table and chart.</param>
    /// <param name="options">Rows, columns, order and history; <c>null</c> for the defaults.</param>
    public static void ToDashboard<T>(this DStream<T> stream, string title, ResultsDashboardOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        options ??= new ResultsDashboardOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRows, 1, nameof(options.MaxRows));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RetainedBatches, 1, nameof(options.RetainedBatches));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxSeries, nameof(options.MaxSeries));
        var table = new RowReader<T>(options.Columns);
        ResultBoard? board = null;
        // Registered first: an output added after Start throws here, before the page gets an empty board.
        stream.ForEachBatch((batch, time) => board!.Publish(time, table.Read(batch), table.Columns));
        board = DashboardHub.For(stream.Context).AddBoard(title, options);
    }
}
