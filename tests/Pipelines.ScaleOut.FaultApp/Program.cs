using System.Globalization;
using Confluent.Kafka;
using Pipelines;
using Pipelines.ScaleOut;
using Pipelines.ScaleOut.FaultApp;

// One instance of the scale-out test application. The test process owns the mock cluster, starts this app N times with
// the same application id, SIGKILLs some and starts others. Output records: key = the input key, value =
// "<batch index> <w|s line>", the batch index counted from the agreed zero time. Stops gracefully on "stop" (stdin).
//
// With a ninth argument "die-inside=<batch index>", the instance SIGKILLs itself inside the first transaction of a
// batch at or after that index that has 3 or more outputs, after its first 2 outputs were produced and 300 ms given to
// deliver them: a dead owner whose batch is partly readable and has no ledger record.
//
// With the argument "wordcount", the application repartitions: WordCounts over lines (input not partitioned by word),
// output value "<batch index> <w|t line>".
//
// Usage: Pipelines.ScaleOut.FaultApp <bootstrap> <application id> <instance id> <input topic> <output topic> <batch ms> <max records per partition> <session timeout ms> [die-inside=<batch index>] [wordcount]
if (args.Length is < 8 or > 10
    || !int.TryParse(args[5], NumberStyles.Integer, CultureInfo.InvariantCulture, out var batchMs) || batchMs <= 0
    || !int.TryParse(args[6], NumberStyles.Integer, CultureInfo.InvariantCulture, out var maxRecords) || maxRecords <= 0
    || !int.TryParse(args[7], NumberStyles.Integer, CultureInfo.InvariantCulture, out var sessionMs) || sessionMs <= 0)
{
    Console.Error.WriteLine("Usage: Pipelines.ScaleOut.FaultApp <bootstrap> <application id> <instance id> <input topic> <output topic> <batch ms> <max records per partition> <session timeout ms> [die-inside=<batch index>] [wordcount]");
    return 2;
}

var flags = args.Skip(8).ToArray();
long? dieInside = flags.FirstOrDefault(f => f.StartsWith("die-inside=", StringComparison.Ordinal)) is { } die
    ? long.Parse(die.AsSpan("die-inside=".Length), CultureInfo.InvariantCulture)
    : null;
var wordCount = flags.Contains("wordcount");
if (wordCount && dieInside is not null)
{
    Console.Error.WriteLine("die-inside counts the outputs per input partition of the session pipeline; it does not apply to wordcount.");
    return 2;
}
var outputsPerBatch = new Dictionary<(string Partition, long Batch), int>();

var (bootstrap, applicationId, instanceId, input, output) = (args[0], args[1], args[2], args[3], args[4]);
var interval = TimeSpan.FromMilliseconds(batchMs);
using var loggers = new Pipelines.TestKit.StderrLoggerFactory("Pipelines.ScaleOut");
ScaleOutApplication<string, string, string>? app = null;
var options = new ScaleOutOptions
{
    ApplicationId = applicationId,
    BootstrapServers = bootstrap,
    InstanceId = instanceId,
    BatchInterval = interval,
    MaxRecordsPerPartition = maxRecords,
    SessionTimeout = TimeSpan.FromMilliseconds(sessionMs),
    LoggerFactory = loggers,
    Listeners = [new StdoutListener()],
};
Func<string, BatchTime, (string? Key, string Value)> toRecord = (line, time) =>
{
    var key = line.Split(' ')[1];
    var batch = (time - app!.ZeroTime).Ticks / interval.Ticks;
    if (dieInside is { } at && batch >= at)
    {
        // The key "k<partition>-<n>" names the input partition: count this partition's outputs of this batch.
        var partition = key[1..key.IndexOf('-', StringComparison.Ordinal)];
        var count = outputsPerBatch[(partition, batch)] = outputsPerBatch.GetValueOrDefault((partition, batch)) + 1;
        if (count == 3)
        {
            Console.WriteLine($"dying {instanceId} inside batch {batch} of p{partition} after 2 outputs");
            Thread.Sleep(300); // the 2 outputs produced (linger 5 ms) reach the broker
            System.Diagnostics.Process.GetCurrentProcess().Kill(); // SIGKILL, inside the transaction
        }
    }

    return (key, string.Create(CultureInfo.InvariantCulture, $"{batch} {line}"));
};
app = wordCount
    ? new ScaleOutApplication<string, string, string>(options, input, WordCounts.Split, words => WordCounts.Count(words, interval), output, toRecord)
    : new ScaleOutApplication<string, string, string>(options, input, records => SessionAndWindowCounts.Define(records, interval), output, toRecord);
await app.StartAsync();
Console.WriteLine($"started {instanceId} zero={app.ZeroTime.Milliseconds}");
var stop = Task.Run(() =>
{
    string? line;
    while ((line = Console.ReadLine()) is not null && line != "stop")
    {
    }
});
var ended = await Task.WhenAny(stop, app.Completion);
if (ended == app.Completion && app.Completion.IsFaulted)
{
    Console.Error.WriteLine("failed: " + app.Completion.Exception!.GetBaseException().Message);
    await app.DisposeAsync();
    return 1;
}

await app.DisposeAsync();
Console.WriteLine("stopped " + instanceId);
return 0;

/// <summary>Prints ownership changes and committed batches for the test's log.</summary>
internal sealed class StdoutListener : IScaleOutListener
{
    public void OnPartitionsAssigned(string instanceId, IReadOnlyList<TopicPartition> partitions, IReadOnlyList<TopicPartition> owned) =>
        Console.WriteLine($"assigned {instanceId} +[{string.Join(",", partitions.Select(p => p.Partition.Value))}] owns [{string.Join(",", owned.Select(p => p.Partition.Value))}]");

    public void OnPartitionsRevoked(string instanceId, IReadOnlyList<TopicPartition> partitions, bool lost, IReadOnlyList<TopicPartition> owned) =>
        Console.WriteLine($"{(lost ? "lost" : "revoked")} {instanceId} -[{string.Join(",", partitions.Select(p => p.Partition.Value))}] owns [{string.Join(",", owned.Select(p => p.Partition.Value))}]");

    public void OnBatchCommitted(ScaleOutBatchInfo batch) =>
        Console.Write(batch.Partition.Topic.EndsWith("-repartition-0", StringComparison.Ordinal) ? $"rcommitted {batch.InstanceId} r{batch.Partition.Partition.Value} t={batch.Time.Milliseconds} in={batch.UntilOffset} out={batch.OutputRecords}\n" : $"committed {batch.InstanceId} p{batch.Partition.Partition.Value} t={batch.Time.Milliseconds} [{batch.FromOffset},{batch.UntilOffset}) out={batch.OutputRecords}\n");
}
