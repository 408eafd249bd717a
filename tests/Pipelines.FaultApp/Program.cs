using Pipelines;
using Pipelines.FaultApp;

// A checkpointed stateful word count with a file sink and a SQLite sink, reading either a folder of text files
// (TextFileStream) or a TCP server (a reliable receiver that acknowledges each block once the write-ahead log
// holds it). The fault tests run it as a child process, kill it with SIGKILL at random moments and restart it;
// it recovers from its checkpoint each time. It stops gracefully when the stop-marker file appears.
//
// Usage: Pipelines.FaultApp <input folder | tcp://host:port> <output folder> <checkpoint folder> <sqlite file> <batch ms> <stop marker>
if (args.Length != 6 || !int.TryParse(args[4], out var batchMs) || batchMs <= 0)
{
    Console.Error.WriteLine("Usage: Pipelines.FaultApp <input folder | tcp://host:port> <output folder> <checkpoint folder> <sqlite file> <batch ms> <stop marker>");
    return 2;
}

var settings = new FaultAppSettings(args[0], args[1], args[2], args[3], TimeSpan.FromMilliseconds(batchMs));
Directory.CreateDirectory(settings.OutputDirectory);
await using var context = StreamingContext.GetOrCreate(
    settings.CheckpointDirectory,
    () => FaultPipeline.Build(settings),
    new CheckpointOptions { ReceiverWriteAheadLog = true });
context.Start();
Console.WriteLine(context.RecoveredFrom is { } from ? $"recovered from {from}" : "started fresh");

using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
var terminated = context.AwaitTerminationAsync();
while (!File.Exists(args[5]) && !terminated.IsCompleted)
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

Console.WriteLine("stopped");
return 0;
