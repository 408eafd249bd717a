using System.Globalization;
using Pipelines.TestKit;

namespace Pipelines.Tests.Hardening;

/// <summary>
/// Issue 10, item 7: SIGTERM and SIGINT stop the context as Spark's shutdown hook does. The child process
/// (<c>Pipelines.LimitsApp signal</c>) reads a folder with a checkpoint; a batch holding "SLOW" is in flight for
/// 3 s when the test sends the signal.
/// </summary>
public sealed class ShutdownSignalTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pipelines-signal-").FullName;

    private string Input => Path.Combine(_root, "in");

    private string Output => Path.Combine(_root, "out");

    private string Checkpoints => Path.Combine(_root, "checkpoint");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task SIGTERM_with_StopGracefullyOnShutdown_finishes_the_batch_in_flight_writes_the_final_checkpoint_and_exits_normally()
    {
        Directory.CreateDirectory(Input);
        using var app = Start(graceful: true);
        await app.WaitForLineAsync(line => line.StartsWith("started", StringComparison.Ordinal), "started");

        var batchTime = await FeedSlowBatchAsync();
        await app.SignalAsync("TERM");
        var exitCode = await app.WaitForExitAsync();

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{app.Log}");
        Assert.Contains("stopped", app.Lines);
        Assert.Equal(["one", "SLOW"], File.ReadAllLines(OutputOf(batchTime)));
        Assert.Contains(CheckpointTimes(), time => time >= batchTime);
    }

    [Fact]
    public async Task SIGINT_without_the_option_cancels_the_batch_in_flight_and_a_restart_runs_it_from_the_consistent_checkpoint()
    {
        Directory.CreateDirectory(Input);
        long batchTime;
        using (var app = Start(graceful: false))
        {
            await app.WaitForLineAsync(line => line.StartsWith("started", StringComparison.Ordinal), "started");
            batchTime = await FeedSlowBatchAsync();
            await app.SignalAsync("INT");
            var exitCode = await app.WaitForExitAsync();

            Assert.True(exitCode == 0, $"exit code {exitCode}\n{app.Log}");
            Assert.Contains("stopped", app.Lines);
            Assert.False(File.Exists(OutputOf(batchTime)), "the batch in flight was not cancelled");
        }

        using (var again = Start(graceful: false))
        {
            await again.WaitForLineAsync(line => line.StartsWith("started (recovered", StringComparison.Ordinal), "a recovery");
            await WaitForFileAsync(OutputOf(batchTime), again);
            await again.SignalAsync("TERM");
            var exitCode = await again.WaitForExitAsync();

            Assert.True(exitCode == 0, $"exit code {exitCode}\n{again.Log}");
        }

        Assert.Equal(["one", "SLOW"], File.ReadAllLines(OutputOf(batchTime)));
    }

    private ChildProcess Start(bool graceful) =>
        new("Pipelines.LimitsApp.dll", "signal", Input, Output, Checkpoints, graceful ? "true" : "false");

    /// <summary>Moves in a file whose batch waits 3 s in its output, and returns that batch's time once it is in flight.</summary>
    private async Task<long> FeedSlowBatchAsync()
    {
        var staged = Path.Combine(_root, "a.txt");
        await File.WriteAllLinesAsync(staged, ["one", "SLOW"]);
        File.Move(staged, Path.Combine(Input, "a.txt"));
        var guard = System.Diagnostics.Stopwatch.StartNew();
        while (guard.Elapsed < ChildProcess.HangGuard)
        {
            if (Directory.Exists(Output) && Directory.GetFiles(Output, "inflight-*") is [var marker])
            {
                return long.Parse(Path.GetFileName(marker)["inflight-".Length..], CultureInfo.InvariantCulture);
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("The slow batch did not start.");
    }

    private async Task WaitForFileAsync(string path, ChildProcess app)
    {
        var guard = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(path))
        {
            if (guard.Elapsed > ChildProcess.HangGuard)
            {
                throw new TimeoutException($"{path} did not appear.\n{app.Log}");
            }

            await Task.Delay(20);
        }
    }

    private string OutputOf(long batchTime) => Path.Combine(Output, string.Create(CultureInfo.InvariantCulture, $"out-{batchTime}.txt"));

    private long[] CheckpointTimes() =>
        [.. Directory.GetFiles(Checkpoints, "checkpoint-*.bin").Select(f => long.Parse(Path.GetFileNameWithoutExtension(f)["checkpoint-".Length..], CultureInfo.InvariantCulture))];
}
