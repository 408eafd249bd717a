using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Pipelines.TestKit;

namespace Pipelines.Hosting.Tests;

/// <summary>
/// Issue 17: the hosted sample (<c>samples/HostedWordCount</c>, a Generic Host worker) stopped with SIGTERM while files
/// keep arriving. The host owns the signal and stops the context gracefully: the batches already cut finish, the final
/// checkpoint covers the last batch written, the process exits with 0, and a restart recovers from exactly that
/// checkpoint (no batch runs twice). Across both runs every record fed is written exactly once.
/// </summary>
public sealed partial class HostedWordCountSignalTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pipelines-hosted-").FullName;

    private string Input => Path.Combine(_root, "in");

    private string Output => Path.Combine(_root, "out");

    private string Checkpoints => Path.Combine(_root, "checkpoint");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task SIGTERM_stops_the_hosted_sample_gracefully_with_a_final_checkpoint_and_no_accepted_record_lost()
    {
        const int Files = 30;
        const int LinesPerFile = 20;
        var corpus = Enumerable.Range(0, Files)
            .Select(f => Enumerable.Range(0, LinesPerFile).Select(l => string.Create(CultureInfo.InvariantCulture, $"r{(f * LinesPerFile) + l:D5} alpha beta{l % 3}")).ToArray())
            .ToList();
        Directory.CreateDirectory(Input);
        long recoveredFrom;
        HashSet<string> firstRunOutputs;
        using var feeding = new CancellationTokenSource(ChildProcess.HangGuard);
        var fed = 0;
        Task feeder;
        using (var first = Start())
        {
            await first.WaitForLineAsync(line => line.Contains("Streaming started fresh", StringComparison.Ordinal), "the start");
            feeder = FeedAsync(corpus, () => Interlocked.Increment(ref fed), feeding.Token);
            await WaitUntilAsync(() => Volatile.Read(ref fed) >= Files / 3 && RecordCounts().Count > 0, "a third of the files fed and some records written", first);

            await first.SignalAsync("TERM");
            var exitCode = await first.WaitForExitAsync();

            Assert.True(exitCode == 0, $"exit code {exitCode}\n{first.Log}");
            Assert.Contains(first.Lines, line => line.Contains("Streaming stopped", StringComparison.Ordinal));
            Assert.DoesNotContain(first.Lines, line => line.Contains("did not stop", StringComparison.Ordinal));
            firstRunOutputs = [.. Directory.GetFiles(Output, "lines-*.txt")];
            var lastOutput = firstRunOutputs.Max(BatchTimeOf);
            var finalCheckpoint = Directory.GetFiles(Checkpoints, "checkpoint-*.bin").Max(BatchTimeOf);
            Assert.True(finalCheckpoint >= lastOutput, $"the final checkpoint {finalCheckpoint} does not cover the last batch written {lastOutput}");
            recoveredFrom = finalCheckpoint;
        }

        using (var second = Start())
        {
            var started = await second.WaitForLineAsync(line => line.Contains("Streaming started", StringComparison.Ordinal), "the restart");
            var match = RecoveredFrom().Match(started);
            Assert.True(match.Success, $"not a recovery: {started}");
            Assert.Equal(recoveredFrom, long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));

            await feeder;
            var expected = corpus.SelectMany(f => f).Select(line => line[..line.IndexOf(' ', StringComparison.Ordinal)]).ToHashSet(StringComparer.Ordinal);
            await WaitUntilAsync(() => expected.IsSubsetOf(RecordCounts().Keys), "every record written", second);
            await second.SignalAsync("TERM");
            var exitCode = await second.WaitForExitAsync();
            Assert.True(exitCode == 0, $"exit code {exitCode}\n{second.Log}");

            // No batch of the first run ran again: the recovered run wrote only batches after the final checkpoint.
            Assert.All(Directory.GetFiles(Output, "lines-*.txt").Except(firstRunOutputs), file => Assert.True(BatchTimeOf(file) > recoveredFrom, file));
            var counts = RecordCounts();
            var lost = expected.Count(id => !counts.ContainsKey(id));
            var duplicated = counts.Values.Sum(n => n - 1);
            Assert.True(lost == 0 && duplicated == 0, $"lost={lost} duplicated={duplicated}\n{second.Log}");
        }
    }

    [GeneratedRegex(@"recovered from the checkpoint of (\d+) ms")]
    private static partial Regex RecoveredFrom();

    private ChildProcess Start() => new(
        "HostedWordCount.dll",
        "--HostedWordCount:Input=" + Input,
        "--HostedWordCount:Output=" + Output,
        "--Streaming:CheckpointDirectory=" + Checkpoints,
        "--Streaming:BatchInterval=00:00:00.200",
        "--Streaming:ApplicationId=hosted-signal-test");

    private static long BatchTimeOf(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        return long.Parse(name[(name.IndexOf('-', StringComparison.Ordinal) + 1)..], CultureInfo.InvariantCulture);
    }

    private async Task FeedAsync(List<string[]> corpus, Action onFed, CancellationToken cancellationToken)
    {
        for (var f = 0; f < corpus.Count; f++)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"part-{f:D4}.txt");
            var temp = Path.Combine(Input, "." + name + ".tmp");
            await File.WriteAllLinesAsync(temp, corpus[f], cancellationToken);
            File.Move(temp, Path.Combine(Input, name));
            onFed();
            await Task.Delay(80, cancellationToken);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what, ChildProcess app)
    {
        var guard = Stopwatch.StartNew();
        while (!condition())
        {
            if (guard.Elapsed > ChildProcess.HangGuard || app.HasExited)
            {
                throw new TimeoutException($"Timed out waiting for {what} (exited: {app.HasExited}).\n{app.Log}");
            }

            await Task.Delay(20);
        }
    }

    private Dictionary<string, int> RecordCounts()
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!Directory.Exists(Output))
        {
            return counts;
        }

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
}
