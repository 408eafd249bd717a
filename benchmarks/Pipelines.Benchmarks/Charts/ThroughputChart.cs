using System.Globalization;
using ScottPlot;

namespace Pipelines.Benchmarks.Charts;

/// <summary>Draws throughput (million records per second) per contender, one panel per workload, into one PNG.</summary>
public static class ThroughputChart
{
    /// <summary>Renders <paramref name="rows"/> to <paramref name="path"/>.</summary>
    public static void Save(IReadOnlyList<ThroughputRow> rows, string path)
    {
        var workloads = rows.GroupBy(row => row.Workload).OrderBy(group => group.Key, StringComparer.Ordinal).ToArray();
        if (workloads.Length == 0)
        {
            throw new InvalidOperationException("No benchmark results to chart: run the benchmarks first (see docs/benchmarks.md).");
        }

        const int Columns = 2;
        var rowsOfPanels = (workloads.Length + Columns - 1) / Columns;
        var multiplot = new Multiplot();
        multiplot.AddPlots(workloads.Length);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(rowsOfPanels, Columns);
        for (var i = 0; i < workloads.Length; i++)
        {
            Draw(multiplot.GetPlot(i), workloads[i].Key, workloads[i].ToArray());
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        multiplot.SavePng(path, 1600, 420 * rowsOfPanels);
    }

    private static void Draw(Plot plot, string workload, ThroughputRow[] rows)
    {
        // Top to bottom in the order the benchmarks declare them: the bar at the top has the highest position.
        // When the fastest contender is more than 30x the slowest, the axis is logarithmic so every bar shows.
        var millions = rows.Select(row => row.RecordsPerSecond / 1e6).ToArray();
        var logarithmic = millions.Max() / millions.Min() > 30;
        var floor = logarithmic ? Math.Floor(Math.Log10(millions.Min())) : 0;
        var bars = new List<Bar>();
        var positions = new double[rows.Length];
        var labels = new string[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            var value = millions[i];
            var error = rows[i].RecordsPerSecondError / 1e6;
            var position = rows.Length - 1 - i;
            bars.Add(new Bar
            {
                Position = position,
                ValueBase = floor,
                Value = logarithmic ? Math.Log10(value) : value,
                Error = logarithmic ? error / (value * Math.Log(10)) : error,
                FillColor = ColorOf(rows[i].Method),
                Label = value.ToString(value >= 100 ? "N0" : value >= 10 ? "F1" : "F2", CultureInfo.InvariantCulture),
            });
            positions[i] = position;
            labels[i] = rows[i].Method;
        }

        var barPlot = plot.Add.Bars(bars);
        barPlot.Horizontal = true;
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels);
        var highest = bars.Max(bar => double.IsFinite(bar.Error) ? bar.Value + bar.Error : bar.Value);
        if (logarithmic)
        {
            var top = Math.Ceiling(highest + 0.15);
            var ticks = new ScottPlot.TickGenerators.NumericManual();
            for (var power = floor; power <= top; power++)
            {
                ticks.AddMajor(power, Math.Pow(10, power).ToString("#,0.###", CultureInfo.InvariantCulture));
                for (var k = 2; k <= 9 && power < top; k++)
                {
                    ticks.AddMinor(power + Math.Log10(k));
                }
            }

            plot.Axes.Bottom.TickGenerator = ticks;
            plot.Axes.SetLimitsX(floor, top);
            plot.Axes.Bottom.Label.Text = "log scale";
        }
        else
        {
            plot.Axes.SetLimitsX(0, highest * 1.15);
        }

        plot.Axes.SetLimitsY(-0.6, rows.Length - 0.4);
        plot.Title($"{workload}: million {rows[0].Unit}/s");
    }

    private static Color ColorOf(string method) => method switch
    {
        _ when method.StartsWith("Compiled", StringComparison.Ordinal) => Colors.ForestGreen,
        _ when method.StartsWith("Interpreted", StringComparison.Ordinal) => Colors.MediumPurple,
        _ when method.StartsWith("Runtime", StringComparison.Ordinal) => Colors.Teal,
        _ when method.StartsWith("Hand", StringComparison.Ordinal) => Colors.DimGray,
        _ when method.StartsWith("Rx", StringComparison.Ordinal) => Colors.DarkOrange,
        _ => Colors.SteelBlue,
    };
}
