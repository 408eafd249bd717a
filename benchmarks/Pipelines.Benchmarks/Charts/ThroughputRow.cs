using System.Globalization;
using BenchmarkDotNet.Reports;
using Pipelines.Benchmarks.Harness;

namespace Pipelines.Benchmarks.Charts;

/// <summary>One benchmark result as throughput: what the chart draws and what <c>throughput.csv</c> keeps.</summary>
/// <param name="Workload">The workload, with its parameters (e.g. "W3 windowed counts, Window=60").</param>
/// <param name="Method">The benchmark method (the contender).</param>
/// <param name="MeanNanoseconds">Mean time per operation.</param>
/// <param name="ErrorNanoseconds">Half of the 99.9% confidence interval of the mean.</param>
/// <param name="AllocatedBytes">Bytes allocated per operation.</param>
/// <param name="RecordsPerOperation">Input records per operation.</param>
/// <param name="Unit">What a record is.</param>
public sealed record ThroughputRow(string Workload, string Method, double MeanNanoseconds, double ErrorNanoseconds, long AllocatedBytes, long RecordsPerOperation, string Unit)
{
    private const string Header = "Workload,Method,MeanNs,ErrorNs,AllocatedBytes,RecordsPerOperation,Unit";

    /// <summary>Records per second.</summary>
    public double RecordsPerSecond => RecordsPerOperation / (MeanNanoseconds * 1e-9);

    /// <summary>The error of <see cref="RecordsPerSecond"/> (first order: the relative error of the mean).</summary>
    public double RecordsPerSecondError => RecordsPerSecond * ErrorNanoseconds / MeanNanoseconds;

    /// <summary>The rows of every successful benchmark of the summaries whose class carries <see cref="ThroughputAttribute"/>.</summary>
    public static IReadOnlyList<ThroughputRow> From(IEnumerable<Summary> summaries)
    {
        var rows = new List<ThroughputRow>();
        foreach (var report in summaries.SelectMany(summary => summary.Reports))
        {
            var benchmark = report.BenchmarkCase;
            var throughput = benchmark.Descriptor.Type.GetCustomAttributes(typeof(ThroughputAttribute), inherit: false)
                .OfType<ThroughputAttribute>().FirstOrDefault();
            if (throughput is null || report.ResultStatistics is not { } statistics)
            {
                continue;
            }

            var parameters = benchmark.Parameters.Count == 0 ? "" : ", " + benchmark.Parameters.DisplayInfo.Trim('[', ']');
            rows.Add(new ThroughputRow(
                throughput.Workload + parameters,
                benchmark.Descriptor.WorkloadMethod.Name,
                statistics.Mean,
                statistics.ConfidenceInterval.Margin,
                report.GcStats.GetBytesAllocatedPerOperation(benchmark) ?? 0,
                throughput.RecordsPerOperation,
                throughput.Unit));
        }

        return rows;
    }

    /// <summary>Writes the rows as CSV (invariant culture).</summary>
    public static void Write(string path, IEnumerable<ThroughputRow> rows)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine(Header);
        foreach (var row in rows)
        {
            writer.WriteLine(string.Join(',',
                Quote(row.Workload),
                Quote(row.Method),
                row.MeanNanoseconds.ToString("R", CultureInfo.InvariantCulture),
                row.ErrorNanoseconds.ToString("R", CultureInfo.InvariantCulture),
                row.AllocatedBytes.ToString(CultureInfo.InvariantCulture),
                row.RecordsPerOperation.ToString(CultureInfo.InvariantCulture),
                Quote(row.Unit)));
        }
    }

    /// <summary>Reads rows written by <see cref="Write"/>.</summary>
    /// <exception cref="FormatException">The file is not such a CSV.</exception>
    public static IReadOnlyList<ThroughputRow> Read(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0] != Header)
        {
            throw new FormatException($"'{path}' is not a throughput CSV: its first line must be '{Header}'.");
        }

        return lines.Skip(1).Where(line => line.Length > 0).Select(line =>
        {
            var fields = SplitCsv(line);
            if (fields.Count != 7)
            {
                throw new FormatException($"'{path}': expected 7 fields in '{line}'.");
            }

            return new ThroughputRow(
                fields[0],
                fields[1],
                double.Parse(fields[2], CultureInfo.InvariantCulture),
                double.Parse(fields[3], CultureInfo.InvariantCulture),
                long.Parse(fields[4], CultureInfo.InvariantCulture),
                long.Parse(fields[5], CultureInfo.InvariantCulture),
                fields[6]);
        }).ToArray();
    }

    private static string Quote(string field) => "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }
}
