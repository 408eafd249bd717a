using System.Globalization;
using Confluent.Kafka;
using Pipelines;
using Pipelines.Kafka;
using Pipelines.Sqlite;
using Microsoft.Extensions.Logging;

// The child process of the Kafka kill test: reads a topic with a checkpointed Kafka direct stream, upper-cases each
// value, writes it to another topic with SaveToKafka (one transaction per batch, progress record inside) and writes
// (value, batch time) rows to SQLite with the batch-time-keyed SQLite sink. The test process owns the mock cluster.
// It stops gracefully when the stop-marker file appears.
//
// Usage: Pipelines.Kafka.FaultApp <bootstrap> <input topic> <output topic> <checkpoint folder> <sqlite file> <batch ms> <max rate per partition> <stop marker>
if (args.Length != 8
    || !int.TryParse(args[5], NumberStyles.Integer, CultureInfo.InvariantCulture, out var batchMs) || batchMs <= 0
    || !double.TryParse(args[6], NumberStyles.Float, CultureInfo.InvariantCulture, out var maxRate))
{
    Console.Error.WriteLine("Usage: Pipelines.Kafka.FaultApp <bootstrap> <input topic> <output topic> <checkpoint folder> <sqlite file> <batch ms> <max rate per partition> <stop marker>");
    return 2;
}

var (bootstrap, input, output, checkpoints, database, stopMarker) = (args[0], args[1], args[2], args[3], args[4], args[7]);
KafkaSink? sink = null;
using var loggers = new Pipelines.TestKit.StderrLoggerFactory("Pipelines.Kafka");
Console.WriteLine("starting");
await using var context = StreamingContext.GetOrCreate(checkpoints, () =>
{
    var ssc = new StreamingContext(TimeSpan.FromMilliseconds(batchMs), new StreamingOptions { LoggerFactory = loggers });
    var records = ssc.KafkaDirectStream<string, string>(
        new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "fault-app", AutoOffsetReset = AutoOffsetReset.Earliest },
        [input],
        new KafkaDirectStreamOptions { MaxRatePerPartition = maxRate });
    var upper = records.Map(r => r.Value.ToUpperInvariant());
    sink = upper.SaveToKafka(
        new ProducerConfig { BootstrapServers = bootstrap, TransactionalId = "fault-app-" + output },
        output,
        value => (value[..value.IndexOf(' ', StringComparison.Ordinal)], value));
    var reported = 0;
    upper.ForEachBatch((_, time) =>
    {
        if (sink.SkippedReplays > reported)
        {
            reported = sink.SkippedReplays;
            Console.WriteLine($"skipped replay up to {time}: the sink had committed it before the kill");
        }
    });
    upper.SaveToSqlite(
        $"Data Source={database}",
        "lines",
        "INSERT INTO lines (value, batch) VALUES ($value, $batch)",
        (parameters, value, time) =>
        {
            parameters.AddWithValue("$value", value);
            parameters.AddWithValue("$batch", time.Milliseconds);
        },
        "CREATE TABLE IF NOT EXISTS lines (value TEXT NOT NULL, batch INTEGER NOT NULL)");
    return ssc;
});
context.Start();
Console.WriteLine(context.RecoveredFrom is { } from ? $"recovered from {from}" : "started fresh");

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
finally
{
    if (sink is not null)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"skipped replays: {sink.SkippedReplays}"));
        await sink.DisposeAsync();
    }
}

Console.WriteLine("stopped");
return 0;
