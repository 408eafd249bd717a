using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Pipelines.Benchmarks.Charts;

namespace Pipelines.Benchmarks;

/// <summary>
/// The benchmark program (docs/benchmarks.md). Without a mode flag it is BenchmarkDotNet's switcher: pass
/// <c>--filter '*'</c> and any BenchmarkDotNet option; after the run, the throughput of every benchmark goes to
/// <c>BenchmarkDotNet.Artifacts/throughput.csv</c>, and <c>--chart PATH</c> also draws it into a PNG.
/// Modes: <c>--quick</c> runs every benchmark once with BenchmarkDotNet's dry job (each setup checks that every
/// contender agrees); <c>--chart-from CSV --chart PATH</c> redraws a chart from a saved throughput.csv;
/// <c>--sustained</c> measures W6, the highest input rate each word-count path sustains through a real socket;
/// <c>--socket-intake</c> the cost per line (wall and CPU) of the word count through a socket against a hand loop.
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        var options = new List<string>(args);
        if (options.Remove("--sustained"))
        {
            return Sustained.SustainedMode.RunAsync(options).GetAwaiter().GetResult();
        }

        if (options.Remove("--socket-intake"))
        {
            return Sustained.SocketIntakeMode.RunAsync(options).GetAwaiter().GetResult();
        }

        var chart = TakeValue(options, "--chart");
        var chartFrom = TakeValue(options, "--chart-from");
        if (chartFrom is not null)
        {
            ThroughputChart.Save(ThroughputRow.Read(chartFrom), chart ?? "benchmarks.png");
            return 0;
        }

        IConfig config = DefaultConfig.Instance;
        if (options.Remove("--quick"))
        {
            config = config.AddJob(Job.Dry.WithId("Quick")).WithOptions(ConfigOptions.DisableOptimizationsValidator);
            if (!options.Contains("--filter"))
            {
                options.AddRange(["--filter", "*"]);
            }
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run([.. options], config).ToArray();
        var rows = ThroughputRow.From(summaries);
        if (rows.Count > 0)
        {
            var csv = Path.Combine(summaries[0].ResultsDirectoryPath, "..", "throughput.csv");
            ThroughputRow.Write(csv, rows);
            Console.WriteLine($"Throughput of {rows.Count} benchmarks: {Path.GetFullPath(csv)}");
            if (chart is not null)
            {
                ThroughputChart.Save(rows, chart);
                Console.WriteLine($"Chart: {Path.GetFullPath(chart)}");
            }
        }

        if (summaries.Any(summary => summary.HasCriticalValidationErrors || summary.Reports.Any(report => !report.Success)))
        {
            Console.Error.WriteLine("Some benchmarks failed or did not validate (e.g. contenders disagreed in setup); see the log above.");
            return 1;
        }

        return 0;
    }

    private static string? TakeValue(List<string> options, string name)
    {
        var index = options.IndexOf(name);
        if (index < 0)
        {
            return null;
        }

        if (index + 1 >= options.Count)
        {
            throw new ArgumentException($"{name} needs a value (a file path).");
        }

        var value = options[index + 1];
        options.RemoveRange(index, 2);
        return value;
    }
}
