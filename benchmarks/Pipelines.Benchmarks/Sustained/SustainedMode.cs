using System.Globalization;
using Pipelines.Benchmarks.Data;
using Pipelines.Benchmarks.WordCount;

namespace Pipelines.Benchmarks.Sustained;

/// <summary>
/// The <c>--sustained</c> console mode (W6): the highest input rate each word-count path sustains through a
/// real <c>SocketTextStream</c> on 127.0.0.1. Options: <c>--interval-ms N</c> (batch interval, default 1000),
/// <c>--start-rate N</c> (lines/s of the first trial, default 100000), <c>--parallelism N</c> (the context's
/// <see cref="StreamingOptions.Parallelism"/>, default the processor count), <c>--paths a,b</c> (only the paths whose
/// names contain one of these, e.g. <c>compiled</c>).
/// </summary>
public static class SustainedMode
{
    /// <summary>Runs the search for each word-count path and prints the rates.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> options)
    {
        var interval = TimeSpan.FromMilliseconds(Number(options, "--interval-ms", 1000));
        var startRate = Number(options, "--start-rate", 100_000);
        var parallelism = (int)Number(options, "--parallelism", Environment.ProcessorCount);
        var only = options.ToList().IndexOf("--paths") is var at and >= 0 && at + 1 < options.Count ? options[at + 1] : null;
        var lines = BenchmarkData.Lines(WordCountBenchmarks.Lines);
        var wordsPerLine = lines.Average(line => line.Count(c => c == ' ') + 1.0);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"W6 sustainable throughput: word count over SocketTextStream on 127.0.0.1, batch interval {interval.TotalMilliseconds:N0} ms, block interval {new StreamingOptions().BlockInterval.TotalMilliseconds:N0} ms, parallelism {parallelism}, {wordsPerLine:F1} words per line"));

        var kernel = new SpanWordCounter();
        var paths = new List<(string Name, Func<DStream<string>, DStream<(string Key, int Value)>> Define)>
        {
            ("Pipelines: compiled", WordCountPipeline.Compile),
            ("Pipelines: interpreted", WordCountPipeline.Define),
            ("Runtime + hand kernel", lines => lines.Transform(batch =>
            {
                kernel.Count(batch.Span);
                return kernel.Counts();
            })),
        };
        var results = new List<(string Name, double Rate)>();
        foreach (var (name, define) in paths)
        {
            if (only is not null && !only.Split(',').Any(p => name.Contains(p, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            results.Add((name, await SustainedThroughput.SearchAsync(name, lines, define, interval, startRate, parallelism, Console.Out).ConfigureAwait(false)));
        }

        Console.WriteLine();
        Console.WriteLine("| Path | Highest sustained rate (lines/s) | (words/s) |");
        Console.WriteLine("|------|---------------------------------:|----------:|");
        foreach (var (name, rate) in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {rate:N0} | {rate * wordsPerLine:N0} |"));
        }

        return 0;
    }

    private static double Number(IReadOnlyList<string> options, string name, double fallback)
    {
        var index = options.ToList().IndexOf(name);
        return index >= 0 && index + 1 < options.Count
            ? double.Parse(options[index + 1], CultureInfo.InvariantCulture)
            : fallback;
    }
}
