using System.Diagnostics;
using System.Globalization;
using Pipelines.TestKit;

namespace Pipelines.Messaging.Testing;

/// <summary>What a SIGKILL run saw: every record id fed to the broker, how often each came out, the recoveries.</summary>
internal sealed record KillFigures(int Kills, int Recoveries, int Records, int Lost, int Duplicated, TimeSpan Elapsed)
{
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"kills={Kills} recoveries={Recoveries} records={Records} lost={Lost} duplicated={Duplicated} elapsed={Elapsed.TotalSeconds:F1}s");
}

/// <summary>
/// Runs <c>Pipelines.Messaging.FaultApp</c> (a checkpointed, write-ahead-logged stream from a broker to text files)
/// as a child process: records are published to the broker in chunks while the app is killed with SIGKILL at seeded
/// random moments and restarted from its checkpoint; then it runs to the end and stops gracefully. Every published
/// record id must be in the output at least once (at-least-once: 0 lost); duplicates are counted and reported.
/// </summary>
internal sealed class KillRun(string source, Func<IReadOnlyList<string>, Task> publish, int batchMilliseconds = 100) : IDisposable
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(20);
    private readonly TempFolder _root = new();
    private readonly ProcessLog _log = new();

    public static int Kills => int.TryParse(Environment.GetEnvironmentVariable("PIPELINES_FAULT_KILLS"), CultureInfo.InvariantCulture, out var kills) ? kills : 5;

    public static int Seed => int.TryParse(Environment.GetEnvironmentVariable("PIPELINES_FAULT_SEED"), CultureInfo.InvariantCulture, out var seed) ? seed : 20261203;

    public string Log => _log.Text;

    private string Output => _root.Combine("output");

    private string Checkpoints => _root.Combine("checkpoint");

    private string StopMarker => _root.Combine("STOP");

    public async Task<KillFigures> RunAsync(int kills, int seed, int recordsPerChunk)
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(seed);
        var chunks = Enumerable.Range(0, kills + 2)
            .Select(c => Enumerable.Range(c * recordsPerChunk, recordsPerChunk).Select(id => string.Create(CultureInfo.InvariantCulture, $"r{id:D6} {(char)('a' + (id % 26))}")).ToArray())
            .ToArray();
        Directory.CreateDirectory(Output);
        await publish(chunks[0]);
        var next = 1;
        for (var kill = 0; kill < kills; kill++)
        {
            using var child = StartApp();
            await WaitForStartAsync(child, kill + 1);
            await publish(chunks[next++]);
            var uptime = TimeSpan.FromMilliseconds(200 + (random.NextDouble() * 900));
            var exited = child.WaitForExitAsync();
            if (await Task.WhenAny(exited, Task.Delay(uptime)) == exited)
            {
                throw new InvalidOperationException($"The app exited by itself (code {child.ExitCode}) before kill #{kill + 1}.\n{Log}");
            }

            child.Kill(); // SIGKILL
            await child.WaitForExitAsync();
            _log.Append($"--- SIGKILL #{kill + 1} after {uptime.TotalMilliseconds:F0} ms");
        }

        while (next < chunks.Length)
        {
            await publish(chunks[next++]);
        }

        var expected = chunks.SelectMany(c => c).Select(Id).ToHashSet(StringComparer.Ordinal);
        using (var last = StartApp())
        {
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
                    if (!last.HasExited)
                    {
                        last.Kill();
                    }

                    throw new TimeoutException($"The app did not finish within {HangGuard} (exited: {last.HasExited}).\n{Log}");
                }

                await Task.Delay(50);
            }

            await File.WriteAllTextAsync(StopMarker, "stop");
            using var exit = new CancellationTokenSource(HangGuard);
            await last.WaitForExitAsync(exit.Token);
            if (last.ExitCode != 0)
            {
                throw new InvalidOperationException($"The app ended with exit code {last.ExitCode}.\n{Log}");
            }
        }

        var counts = ReadRecordCounts();
        return new KillFigures(
            kills,
            _log.CountStartingWith("recovered from"),
            expected.Count,
            expected.Count(id => !counts.ContainsKey(id)),
            counts.Values.Sum(n => n - 1),
            clock.Elapsed);
    }

    public void Dispose() => _root.Dispose();

    private static string Id(string line) => line[..line.IndexOf(' ', StringComparison.Ordinal)];

    private Process StartApp() => DotNetApp.Start(
        "Pipelines.Messaging.FaultApp.dll",
        [source, Output, Checkpoints, batchMilliseconds.ToString(CultureInfo.InvariantCulture), StopMarker],
        _log);

    /// <summary>Waits until the <paramref name="run"/>-th child said it started (fresh or recovered).</summary>
    private async Task WaitForStartAsync(Process child, int run)
    {
        var clock = Stopwatch.StartNew();
        while (_log.CountStartingWith("started fresh", "recovered from") < run)
        {
            if (child.HasExited || clock.Elapsed > HangGuard)
            {
                throw new InvalidOperationException($"The app did not start (exited: {child.HasExited}).\n{Log}");
            }

            await Task.Delay(20);
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
                if (line.Length == 0)
                {
                    continue;
                }

                var id = Id(line + " ");
                counts[id] = counts.GetValueOrDefault(id) + 1;
            }
        }

        return counts;
    }
}
