namespace Pipelines.Dashboard.Results;

/// <summary>
/// The latest batch of one stream pushed with <see cref="DStreamDashboardExtensions.ToDashboard"/>, and a
/// bounded history of its numeric values for the chart.
/// </summary>
internal sealed class ResultBoard(int id, string title, ResultsDashboardOptions options)
{
    private readonly object _gate = new();
    private readonly Queue<(long Time, Dictionary<string, double> Values)> _history = new();
    private IReadOnlyList<string> _columns = [];
    private List<object?[]> _rows = [];
    private long? _time;
    private int _totalRows;

    public event Action? Changed;

    public void Publish(BatchTime time, List<object?[]> rows, IReadOnlyList<string> columns)
    {
        var valueColumn = -1;
        if (rows.Count > 0)
        {
            valueColumn = Array.FindIndex(rows[0], cell => cell is double);
        }

        if (options.SortByValueDescending && valueColumn >= 0)
        {
            // Stable: equal values keep the batch's order.
            rows = [.. rows.OrderByDescending(row => row.Length > valueColumn && row[valueColumn] is double d ? d : double.NegativeInfinity)];
        }

        var total = rows.Count;
        if (rows.Count > options.MaxRows)
        {
            rows.RemoveRange(options.MaxRows, rows.Count - options.MaxRows);
        }

        // The chart's points: each shown row's first number, labelled by its other cells (or the column's name
        // for a stream of single numbers).
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        if (valueColumn >= 0)
        {
            foreach (var row in rows)
            {
                if (row.Length > valueColumn && row[valueColumn] is double value)
                {
                    values.TryAdd(Label(row, valueColumn, columns), value);
                }
            }
        }

        lock (_gate)
        {
            _time = time.Milliseconds;
            _rows = rows;
            _columns = columns;
            _totalRows = total;
            _history.Enqueue((time.Milliseconds, values));
            while (_history.Count > options.RetainedBatches)
            {
                _history.Dequeue();
            }
        }

        Changed?.Invoke();
    }

    public ResultView Snapshot()
    {
        lock (_gate)
        {
            // The lines: the labels of the latest batch's first rows, over the retained history.
            var latest = _history.Count > 0 ? _history.Last().Values : [];
            var series = new List<SeriesView>();
            foreach (var label in latest.Keys.Take(options.MaxSeries))
            {
                var points = new List<double[]>(_history.Count);
                foreach (var (time, values) in _history)
                {
                    points.Add([time, values.TryGetValue(label, out var v) ? v : 0]);
                }

                series.Add(new SeriesView(label, points));
            }

            return new ResultView(id, title, _time, _columns, _rows, _totalRows, series);
        }
    }

    private static string Label(object?[] row, int valueColumn, IReadOnlyList<string> columns)
    {
        var parts = new List<string>(row.Length);
        for (var i = 0; i < row.Length; i++)
        {
            if (i != valueColumn && row[i] is string text)
            {
                parts.Add(text);
            }
        }

        return parts.Count > 0 ? string.Join(" ", parts) : valueColumn < columns.Count ? columns[valueColumn] : "value";
    }
}

internal sealed record ResultView(int Id, string Title, long? Time, IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows, int TotalRows, IReadOnlyList<SeriesView> Series);

internal sealed record SeriesView(string Label, IReadOnlyList<double[]> Points);
