using System.Diagnostics;
using System.Globalization;
using Pipelines.FaultApp;
using Pipelines.TestKit;

namespace Pipelines.Tests.Checkpointing.Faults;

/// <summary>What a fault run saw.</summary>
internal sealed record FaultFigures(
    int Kills,
    int Restarts,
    int Recoveries,
    int Batches,
    int Records,
    int Lost,
    int Duplicated,
    IReadOnlyDictionary<string, long> FileTotals,
    IReadOnlyDictionary<string, long> DatabaseTotals,
    IReadOnlyDictionary<string, int> RecordCounts,
    TimeSpan Elapsed)
{
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"kills={Kills} restarts={Restarts} recoveries={Recoveries} batches={Batches} records={Records} lost={Lost} duplicated={Duplicated} words={FileTotals.Count} elapsed={Elapsed.TotalSeconds:F1}s");
}

/// <summary>
/// Runs the fault-test app (<c>Pipelines.FaultApp.dll</c>) as a child process over a seeded corpus of input
/// files fed into its folder over time, kills it with SIGKILL at seeded random moments, restarts it from its
/// checkpoint each time, then lets it finish and stops it gracefully; then reads its outputs.
/// </summary>
internal sealed class FaultRun : IDisposable
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(15);
    private static readonly string[] Vocabulary =
        ["apple", "birch", "cedar", "delta", "ember", "fjord", "grove", "haven", "indigo", "jasper", "kelp", "lumen", "maple", "north", "onyx", "pine"];

    private readonly TempFolder _root = new();
    private readonly List<(string Name, string[] Lines)> _corpus = [];
    private readonly ProcessLog _log = new();
    private readonly bool _socket;
    private ChunkServer? _server;

    /// <summary>Creates a run over <paramref name="files"/> chunks of lines: files in a folder, or chunks sent over TCP when <paramref name="socket"/>.</summary>
    public FaultRun(int seed, int files, int linesPerFile, bool socket = false)
    {
        _socket = socket;
        var random = new Random(seed);
        var id = 0;
        for (var f = 0; f < files; f++)
        {
            var lines = new string[linesPerFile];
            for (var l = 0; l < linesPerFile; l++)
            {
                var words = new string[1 + random.Next(1, 6)];
                words[0] = string.Create(CultureInfo.InvariantCulture, $"r{id++:D6}");
                for (var w = 1; w < words.Length; w++)
                {
                    words[w] = Vocabulary[random.Next(Vocabulary.Length)];
                }

                lines[l] = string.Join(' ', words);
            }

            _corpus.Add((string.Create(CultureInfo.InvariantCulture, $"part-{f:D5}.txt"), lines));
        }

        Directory.CreateDirectory(Input);
        Directory.CreateDirectory(Output);
    }

    public string Input => _root.Combine("input");

    public string Output => _root.Combine("output");

    public string Checkpoints => _root.Combine("checkpoint");

    public string Database => _root.Combine("sink.db");

    private string StopMarker => _root.Combine("STOP");

    /// <summary>In the socket run: the lines the server sent again because their acknowledgement had not arrived before a kill.</summary>
    public IReadOnlySet<string> ResentIds => (_server?.ResentLines ?? []).Select(line => line[..line.IndexOf(' ', StringComparison.Ordinal)]).ToHashSet(StringComparer.Ordinal);

    public int ResentChunks => _server?.ResentChunks ?? 0;

    /// <summary>What the child processes printed, for failure messages.</summary>
    public string Log => _log.Text;

    /// <summary>Every record id of the corpus.</summary>
    public IEnumerable<string> RecordIds => _corpus.SelectMany(f => f.Lines).Select(line => line[..line.IndexOf(' ', StringComparison.Ordinal)]);

    /// <summary>Each record id with its words.</summary>
    public IEnumerable<(string Id, string[] Words)> Records =>
        _corpus.SelectMany(f => f.Lines).Select(line => line.Split(' ')).Select(parts => (parts[0], parts[1..]));

    /// <summary>The word totals a correct run ends with.</summary>
    public Dictionary<string, long> ExpectedTotals()
    {
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var word in _corpus.SelectMany(f => f.Lines).SelectMany(line => line.Split(' ').Skip(1)))
        {
            totals[word] = totals.GetValueOrDefault(word) + 1;
        }

        return totals;
    }

    /// <summary>Runs the app with <paramref name="kills"/> SIGKILLs at random uptimes, then to the end.</summary>
    public async Task<FaultFigures> RunAsync(int kills, int seed, TimeSpan batchInterval, TimeSpan feedInterval, TimeSpan minUptime, TimeSpan maxUptime)
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(seed);
        using var feeding = new CancellationTokenSource(HangGuard * 2);
        if (_socket)
        {
            _server = new ChunkServer(_corpus.ConvertAll(f => f.Lines), feedInterval);
        }

        var feeder = _socket ? _server!.AllAcknowledged.WaitAsync(HangGuard * 2) : FeedAsync(feedInterval, feeding.Token);
        var restarts = 0;
        for (var kill = 0; kill < kills; kill++)
        {
            using var child = StartApp(batchInterval);
            restarts++;
            var uptime = minUptime + TimeSpan.FromMilliseconds(random.NextDouble() * (maxUptime - minUptime).TotalMilliseconds);
            var exited = child.WaitForExitAsync();
            if (await Task.WhenAny(exited, Task.Delay(uptime)) == exited)
            {
                throw new InvalidOperationException($"The app exited by itself with code {child.ExitCode} before kill #{kill + 1}.\n{Log}");
            }

            child.Kill();
            await child.WaitForExitAsync();
            _log.Append($"--- SIGKILL #{kill + 1} after {uptime.TotalMilliseconds:F0} ms");
        }

        using var last = StartApp(batchInterval);
        restarts++;
        await feeder;
        // Wait until every record is out, or (in a run that lost some) until the output has been quiet for a while.
        var expected = RecordIds.ToHashSet(StringComparer.Ordinal);
        var deadline = Stopwatch.StartNew();
        var quiet = Stopwatch.StartNew();
        var seen = 0;
        while (true)
        {
            var progress = ReadRecordCounts();
            if (expected.IsSubsetOf(progress.Keys))
            {
                break;
            }

            if (progress.Count != seen)
            {
                seen = progress.Count;
                quiet.Restart();
            }

            if (quiet.Elapsed > QuietPeriod)
            {
                break;
            }

            if (deadline.Elapsed > HangGuard || last.HasExited)
            {
                last.Kill();
                throw new TimeoutException($"The app did not finish within {HangGuard} (exited: {last.HasExited}).\n{Log}");
            }

            await Task.Delay(50);
        }

        await File.WriteAllTextAsync(StopMarker, "stop");
        using (var exit = new CancellationTokenSource(HangGuard))
        {
            await last.WaitForExitAsync(exit.Token);
        }

        if (last.ExitCode != 0)
        {
            throw new InvalidOperationException($"The app ended with exit code {last.ExitCode}.\n{Log}");
        }

        var counts = ReadRecordCounts();
        var lost = expected.Count(id => !counts.ContainsKey(id));
        var duplicated = counts.Values.Sum(n => n - 1);
        return new FaultFigures(
            kills,
            restarts - 1,
            _log.CountStartingWith("recovered from"),
            Directory.GetFiles(Output, "lines-*.txt").Length,
            expected.Count,
            lost,
            duplicated,
            ReadFinalFileTotals(),
            FaultPipeline.ReadDatabaseTotals(Database),
            counts,
            clock.Elapsed);
    }

    public void Dispose()
    {
        _server?.DisposeAsync().AsTask().Wait(HangGuard);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _root.Dispose();
    }

    private Process StartApp(TimeSpan batchInterval)
    {
        var source = _socket ? string.Create(CultureInfo.InvariantCulture, $"tcp://127.0.0.1:{_server!.Port}") : Input;
        return DotNetApp.Start(
            "Pipelines.FaultApp.dll",
            [source, Output, Checkpoints, Database, ((long)batchInterval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), StopMarker],
            _log);
    }

    /// <summary>Moves the corpus files into the input folder one by one (written hidden, then renamed), once the app has started.</summary>
    private async Task FeedAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        // A fresh TextFileStream ignores the files present when it starts (as Spark does): feed only once the
        // app said it started (its input is running), fresh or recovered.
        while (!Log.Contains("started fresh", StringComparison.Ordinal) && !Log.Contains("recovered from", StringComparison.Ordinal))
        {
            await Task.Delay(20, cancellationToken);
        }

        foreach (var (name, lines) in _corpus)
        {
            var temp = Path.Combine(Input, "." + name + ".tmp");
            await File.WriteAllLinesAsync(temp, lines, cancellationToken);
            File.Move(temp, Path.Combine(Input, name));
            await Task.Delay(interval, cancellationToken);
        }
    }

    /// <summary>How many times each record id appears across every <c>lines-*.txt</c> output.</summary>
    private Dictionary<string, int> ReadRecordCounts()
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Output, "lines-*.txt"))
        {
            foreach (var line in File.ReadLines(file))
            {
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                var id = space < 0 ? line : line[..space];
                counts[id] = counts.GetValueOrDefault(id) + 1;
            }
        }

        return counts;
    }

    /// <summary>The running totals of the last batch (the <c>totals-&lt;t&gt;.txt</c> with the greatest t).</summary>
    private Dictionary<string, long> ReadFinalFileTotals()
    {
        var last = Directory.GetFiles(Output, "totals-*.txt")
            .Select(path => (Path: path, Time: long.Parse(Path.GetFileNameWithoutExtension(path)["totals-".Length..], CultureInfo.InvariantCulture)))
            .MaxBy(f => f.Time);
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        if (last.Path is null)
        {
            return totals;
        }

        foreach (var line in File.ReadLines(last.Path))
        {
            var parts = line.Split(' ');
            totals[parts[0]] = long.Parse(parts[1], CultureInfo.InvariantCulture);
        }

        return totals;
    }
}
