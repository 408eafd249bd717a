using System.Globalization;
using Pipelines;
using Pipelines.MachineLearning.Clustering;

// Streaming k-means (one cluster, no decay) over the point files moved into a folder ("x,y" per line), with its
// model checkpointed. After every batch it writes the model to <output file> ("weight x y", atomically). The
// kill test runs it as a child process, kills it with SIGKILL and restarts it; it stops gracefully when the
// stop-marker file appears.
//
// Usage: Pipelines.MachineLearning.FaultApp <input folder> <output file> <checkpoint folder> <batch ms> <stop marker>
if (args.Length != 5 || !int.TryParse(args[3], CultureInfo.InvariantCulture, out var batchMs) || batchMs <= 0)
{
    Console.Error.WriteLine("Usage: Pipelines.MachineLearning.FaultApp <input folder> <output file> <checkpoint folder> <batch ms> <stop marker>");
    return 2;
}

var (input, output, checkpoints, stopMarker) = (args[0], args[1], args[2], args[4]);
await using var context = StreamingContext.GetOrCreate(checkpoints, () =>
{
    var ssc = new StreamingContext(TimeSpan.FromMilliseconds(batchMs));
    var points = ssc.TextFileStream(input).Map(static line =>
    {
        var comma = line.IndexOf(',', StringComparison.Ordinal);
        return new[] { double.Parse(line.AsSpan(0, comma), CultureInfo.InvariantCulture), double.Parse(line.AsSpan(comma + 1), CultureInfo.InvariantCulture) };
    });
    var kMeans = new StreamingKMeans { K = 1, DecayFactor = 1.0 }.InitialCenters([[0.0, 0.0]], [0.0]);
    kMeans.TrainOn(points);
    points.ForEachBatch((_, _) =>
    {
        var model = kMeans.LatestModel;
        var center = model.GetCenter(0);
        var temporary = output + ".tmp";
        File.WriteAllText(temporary, string.Create(CultureInfo.InvariantCulture, $"{model.GetWeight(0):R} {center[0]:R} {center[1]:R}"));
        File.Move(temporary, output, overwrite: true);
    });
    return ssc;
});
// Known once GetOrCreate loaded the checkpoint; noted before Start, which may already replay batches. The
// notes also go to <output file>.log, which survives a kill.
Note(context.RecoveredFrom is { } from ? $"recovered from {from}" : "started fresh");
context.Start();
Note("running");

using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
var terminated = context.AwaitTerminationAsync();
while (!File.Exists(stopMarker) && !terminated.IsCompleted)
{
    await poll.WaitForNextTickAsync();
}

await context.StopAsync(graceful: true);
try
{
    await terminated;
}
catch (Exception error)
{
    Console.Error.WriteLine($"failed: {error}");
    return 1;
}

Note("stopped");
return 0;

void Note(string line)
{
    Console.WriteLine(line);
    File.AppendAllText(output + ".log", line + Environment.NewLine);
}
