using Pipelines;
using Pipelines.Messaging.FaultApp;

// A checkpointed stream from a message broker to text files, its receiver writing each block to the write-ahead
// log before it acknowledges it to the broker. The kill tests of the messaging connectors run it as a child
// process, kill it with SIGKILL at random moments and restart it; it recovers from its checkpoint each time and
// stops gracefully when the stop-marker file appears.
//
// Usage: Pipelines.Messaging.FaultApp <source> <output folder> <checkpoint folder> <batch ms> <stop marker>
//   source: redis://host:port/<stream> | nats://host:port/<jetstream stream> | amqp://host:port/<queue>
if (args.Length != 5 || !int.TryParse(args[3], out var batchMs) || batchMs <= 0)
{
    Console.Error.WriteLine("Usage: Pipelines.Messaging.FaultApp <source> <output folder> <checkpoint folder> <batch ms> <stop marker>");
    return 2;
}

var source = new Uri(args[0]);
var output = args[1];
Directory.CreateDirectory(output);
await using var context = StreamingContext.GetOrCreate(
    args[2],
    () =>
    {
        var context = new StreamingContext(
            TimeSpan.FromMilliseconds(batchMs),
            new StreamingOptions { LoggerFactory = new StderrLogger(), ReceiverRestartDelay = TimeSpan.FromMilliseconds(200) });
        var lines = Sources.Open(context, source);
        lines.SaveAsTextFiles(Path.Combine(output, "lines"), "txt");
        return context;
    },
    new CheckpointOptions { ReceiverWriteAheadLog = true });
context.Start();
Console.WriteLine(context.RecoveredFrom is { } from ? $"recovered from {from}" : "started fresh");

using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
var terminated = context.AwaitTerminationAsync();
while (!File.Exists(args[4]) && !terminated.IsCompleted)
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
