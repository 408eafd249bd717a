using System.Globalization;
using Confluent.Kafka;
using Pipelines;
using Pipelines.Kafka;
using Pipelines.Kafka.Testing;
using Pipelines.Samples.KafkaWordCount;

// Kafka word count: Spark's DirectKafkaWordCount. Reads the topic "lines" with a Kafka direct stream, counts words
// per batch with the compiled pipeline, prints them, writes them exactly once to the topic "word-counts" (one Kafka
// transaction per batch) and commits the read offsets to the consumer group.
//   dotnet run --project samples/KafkaWordCount                                  starts its own mock Kafka cluster and a producer
//   dotnet run --project samples/KafkaWordCount -- --bootstrap localhost:9092    a real cluster (the topic "lines" must exist)
//   options: --seconds N (default 10), --checkpoint <folder> (recover after a crash), --max-rate <records/s per partition>
string? bootstrap = null;
string? checkpoint = null;
var seconds = 10;
double? maxRate = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--bootstrap" when i + 1 < args.Length: bootstrap = args[++i]; break;
        case "--checkpoint" when i + 1 < args.Length: checkpoint = args[++i]; break;
        case "--seconds" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var s): seconds = s; i++; break;
        case "--max-rate" when i + 1 < args.Length && double.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var r): maxRate = r; i++; break;
        default:
            Console.Error.WriteLine("Usage: KafkaWordCount [--bootstrap host:port] [--seconds N] [--checkpoint folder] [--max-rate records/s]");
            return 2;
    }
}

// No broker given: librdkafka's mock cluster in this process, and a producer writing text lines to it.
using var cluster = bootstrap is null ? new KafkaMockCluster(brokers: 3) : null;
bootstrap ??= cluster!.BootstrapServers;
cluster?.CreateTopic("lines", partitions: 4);
using var stopProducing = new CancellationTokenSource();
var producing = cluster is null ? Task.CompletedTask : Task.Run(() => ProduceLines(bootstrap, stopProducing.Token));
Console.WriteLine(cluster is null ? $"Reading 'lines' from {bootstrap}" : $"Started a mock Kafka cluster at {bootstrap}; producing to 'lines'");

KafkaSink? sink = null;
StreamingContext Define()
{
    var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
    var records = ssc.KafkaDirectStream<string, string>(
        new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "kafka-wordcount", AutoOffsetReset = AutoOffsetReset.Earliest },
        ["lines"],
        new KafkaDirectStreamOptions { MaxRatePerPartition = maxRate });
    var counts = KafkaWordCount.Compile(records.Map(record => record.Value));
    counts.Print(num: 5);
    sink = counts.SaveToKafka(
        new ProducerConfig { BootstrapServers = bootstrap, TransactionalId = "kafka-wordcount" },
        "word-counts",
        pair => (pair.Word, pair.Count.ToString(CultureInfo.InvariantCulture)));

    // As Spark's commitAsync: after the batch's outputs, tell the group how far it got (for lag monitoring).
    records.ForEachBatch(async (_, time, ct) => await records.CommitAsync(records.OffsetRanges(time), ct));
    records.ForEachBatch((batch, time) =>
        Console.WriteLine($"{time}: {string.Join(", ", records.OffsetRanges(time).Where(r => r.Count > 0))} ({batch.Count} records)"));
    return ssc;
}

await using var context = checkpoint is null ? Define() : StreamingContext.GetOrCreate(checkpoint, Define);
context.Start();
try
{
    await context.AwaitTerminationAsync().WaitAsync(TimeSpan.FromSeconds(seconds));
}
catch (TimeoutException)
{
    // ran for the requested time
}

await context.StopAsync(graceful: true);
await stopProducing.CancelAsync();
await producing;
if (sink is not null)
{
    Console.WriteLine($"Last batch committed to 'word-counts': {sink.LastCommittedBatch}");
    await sink.DisposeAsync();
}

return 0;

static void ProduceLines(string bootstrap, CancellationToken stop)
{
    string[] text =
    [
        "it was the best of times it was the worst of times",
        "it was the age of wisdom it was the age of foolishness",
        "it was the epoch of belief it was the epoch of incredulity",
        "it was the season of light it was the season of darkness",
    ];
    using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5 }).Build();
    var n = 0;
    while (!stop.IsCancellationRequested)
    {
        for (var i = 0; i < 500; i++, n++)
        {
            producer.Produce("lines", new Message<string, string> { Key = n.ToString(CultureInfo.InvariantCulture), Value = text[n % text.Length] });
        }

        producer.Flush(TimeSpan.FromSeconds(5));
        stop.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(200));
    }
}
