using System.Diagnostics;
using System.Globalization;
using Pipelines.TestKit;

namespace Pipelines.MachineLearning.Tests.Checkpointing;

/// <summary>
/// The k-means model survives SIGKILL: the app (<c>Pipelines.MachineLearning.FaultApp</c>) trains one cluster
/// without decay on point files fed into its folder, is killed at seeded random moments and restarted from its
/// checkpoint. Its final model must have counted every point exactly once: weight = number of points, center =
/// their mean, as a run without kills.
/// </summary>
public sealed class ModelKillTests
{
    private const int PointsPerFile = 50;
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(180);
    private readonly ProcessLog _log = new();

    [Fact]
    public async Task KMeans_killed_and_restarted_counts_every_point_exactly_once()
    {
        using var root = new TempFolder();
        var input = Path.Combine(root.Path, "input");
        var output = Path.Combine(root.Path, "model.txt");
        var checkpoints = Path.Combine(root.Path, "checkpoints");
        var stopMarker = Path.Combine(root.Path, "stop");
        Directory.CreateDirectory(input);

        var random = new Random(11);
        var files = Enumerable.Range(0, 24)
            .Select(_ => Enumerable.Range(0, PointsPerFile).Select(_ => (X: Math.Round((random.NextDouble() * 20) - 10, 3), Y: Math.Round((random.NextDouble() * 6) + 1, 3))).ToArray())
            .ToArray();
        var all = files.SelectMany(f => f).ToArray();

        using var feeding = new CancellationTokenSource(HangGuard);
        var child = StartApp(input, output, checkpoints, stopMarker);
        var kills = 0;
        try
        {
            // Files that are in the folder before the context starts are not new: feed only once it runs.
            await WaitUntilAsync(() => Notes(output, "running") == 1, child, null, "the first start");

            // Files go in one by one, at most two ahead of what the model has taken in, so the kills below land
            // while points are still streaming in.
            var feeder = FeedAsync(input, output, files, feeding.Token);
            for (var kill = 1; kill <= 3; kill++)
            {
                // Each process runs and takes in at least two more files before it is killed.
                var progress = Math.Max(kill * 6 * PointsPerFile, (ReadModel(output)?.Weight ?? 0) + (2 * PointsPerFile));
                await WaitUntilAsync(() => Notes(output, "running") == kill, child, feeder, $"the start of process #{kill}");
                await WaitUntilAsync(() => ReadModel(output) is { } model && model.Weight >= progress, child, feeder, $"{progress} points before kill #{kill}");
                await Task.Delay(random.Next(0, 400));
                child.Kill();
                await child.WaitForExitAsync();
                child.Dispose();
                kills++;
                child = StartApp(input, output, checkpoints, stopMarker);
            }

            await feeder;
            await WaitUntilAsync(() => ReadModel(output) is { } model && model.Weight >= all.Length, child, null, "every point");
            await File.WriteAllTextAsync(stopMarker, "stop");
            await child.WaitForExitAsync(new CancellationTokenSource(HangGuard).Token);
            Assert.True(child.ExitCode == 0, $"The app ended with exit code {child.ExitCode}.\n{Log}");
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill();
                await child.WaitForExitAsync();
            }

            child.Dispose();
        }

        var final = ReadModel(output)!.Value;
        Assert.Equal(3, kills);
        var recoveries = Notes(output, "recovered from");
        Assert.True(recoveries == 3, $"{recoveries} recoveries.\n{Log}");
        Assert.Equal(all.Length, final.Weight);
        Assert.Equal(all.Average(p => p.X), final.X, 9);
        Assert.Equal(all.Average(p => p.Y), final.Y, 9);
    }

    private string Log => _log.Text;

    /// <summary>How many notes in the app's log start with <paramref name="prefix"/>.</summary>
    private static int Notes(string output, string prefix) =>
        File.Exists(output + ".log") ? File.ReadAllLines(output + ".log").Count(line => line.StartsWith(prefix, StringComparison.Ordinal)) : 0;

    private static (double Weight, double X, double Y)? ReadModel(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var parts = File.ReadAllText(path).Split(' ');
        return (double.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture), double.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    /// <summary>Waits for <paramref name="condition"/> while <paramref name="app"/> runs.</summary>
    private async Task WaitUntilAsync(Func<bool> condition, Process app, Task? feeder, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (feeder is { IsFaulted: true })
            {
                await feeder;
            }

            Assert.True(!app.HasExited, $"The app exited while waiting for {what}.\n{Log}");
            Assert.True(deadline.Elapsed < HangGuard, $"No {what} within {HangGuard} (model: {ReadModel(OutputOf(app))}).\n{Log}");
            await Task.Delay(25);
        }
    }

    /// <summary>Moves the files into the folder one by one (written hidden, then renamed), at most two files ahead of the model.</summary>
    private static async Task FeedAsync(string input, string output, (double X, double Y)[][] files, CancellationToken cancellationToken)
    {
        for (var f = 0; f < files.Length; f++)
        {
            while ((ReadModel(output)?.Weight ?? 0) < (f - 2) * PointsPerFile)
            {
                await Task.Delay(25, cancellationToken);
            }

            await Task.Delay(50, cancellationToken);
            var hidden = Path.Combine(input, string.Create(CultureInfo.InvariantCulture, $".part-{f:D4}.tmp"));
            await File.WriteAllLinesAsync(hidden, files[f].Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.X},{p.Y}")), cancellationToken);
            File.Move(hidden, Path.Combine(input, string.Create(CultureInfo.InvariantCulture, $"part-{f:D4}.txt")));
        }
    }

    private static string OutputOf(Process app) => app.StartInfo.ArgumentList[2];

    private Process StartApp(string input, string output, string checkpoints, string stopMarker) =>
        DotNetApp.Start("Pipelines.MachineLearning.FaultApp.dll", [input, output, checkpoints, "100", stopMarker], _log);
}
