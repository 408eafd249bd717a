using BenchmarkDotNet.Attributes;
using Confluent.Kafka;
using Pipelines.Kafka.Testing;
using Pipelines.Testing;

namespace Pipelines.Kafka.Benchmarks;

/// <summary>The word count both contenders compute, compiled by the generator.</summary>
[StreamingPipeline]
public static partial class BenchWordCount
{
    /// <summary>Counts the words of each batch of lines.</summary>
    public static DStream<(string Word, int Count)> Define(DStream<string> lines) =>
        lines.FlatMap(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
             .Map(word => (word, 1))
             .ReduceByKey((a, b) => a + b);
}

/// <summary>
/// Reads a 4-partition topic of <see cref="Records"/> lines (8 words each) from the mock cluster and counts words:
/// through a Kafka direct stream (one batch holding every record) into the compiled word count, and with a plain
/// consume loop into a dictionary. Each operation reads the whole topic with a new consumer.
/// </summary>
[MemoryDiagnoser]
public class KafkaWordCountBenchmarks
{
    private const string Topic = "bench";
    private static readonly string[] Vocabulary = ["it", "was", "the", "best", "of", "times", "worst", "age", "wisdom", "foolishness", "epoch", "belief"];
    private KafkaMockCluster? _cluster;

    /// <summary>The number of records in the topic.</summary>
    [Params(200_000)]
    public int Records { get; set; }

    /// <summary>Starts the mock cluster and fills the topic.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _cluster = new KafkaMockCluster(brokers: 1);
        _cluster.CreateTopic(Topic, partitions: 4);
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig
        {
            BootstrapServers = _cluster.BootstrapServers,
            CompressionType = CompressionType.Zstd,
            LingerMs = 20,
        }).Build();
        var random = new Random(42);
        for (var i = 0; i < Records; i++)
        {
            var words = new string[8];
            for (var w = 0; w < words.Length; w++)
            {
                words[w] = Vocabulary[random.Next(Vocabulary.Length)];
            }

            while (true)
            {
                try
                {
                    producer.Produce(new TopicPartition(Topic, i % 4), new Message<Null, string> { Value = string.Join(' ', words) });
                    break;
                }
                catch (ProduceException<Null, string> error) when (error.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }

        producer.Flush(TimeSpan.FromMinutes(1));
    }

    /// <summary>Stops the cluster.</summary>
    [GlobalCleanup]
    public void Cleanup() => _cluster?.Dispose();

    private ConsumerConfig Config() => new()
    {
        BootstrapServers = _cluster!.BootstrapServers,
        GroupId = "bench",
        EnableAutoCommit = false,
        EnablePartitionEof = true,
        FetchWaitMaxMs = 10,
        FetchQueueBackoffMs = 5,
        QueuedMinMessages = 1_000_000,
    };

    /// <summary>The limit: a plain Confluent.Kafka consume loop counting words into a dictionary.</summary>
    [Benchmark(Baseline = true)]
    public int PlainConsumeLoop()
    {
        using var consumer = new ConsumerBuilder<Ignore, string>(Config()).Build();
        consumer.Assign(Enumerable.Range(0, 4).Select(p => new TopicPartitionOffset(Topic, p, Offset.Beginning)));
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var done = 0;
        while (done < 4)
        {
            var result = consumer.Consume(TimeSpan.FromSeconds(10)) ?? throw new TimeoutException("no record within 10 s");
            if (result.IsPartitionEOF)
            {
                done++;
                continue;
            }

            foreach (var word in result.Message.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                counts[word] = counts.GetValueOrDefault(word) + 1;
            }
        }

        return counts.Count;
    }

    /// <summary>A Kafka direct stream (one batch with every record) into the compiled word count.</summary>
    [Benchmark]
    public int DirectStreamCompiledWordCount()
    {
        var clock = new ManualClock();
        var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock });
        try
        {
            var records = ssc.KafkaDirectStream<Ignore, string>(Config(), Enumerable.Range(0, 4).Select(p => new TopicPartitionOffset(Topic, p, Offset.Beginning)));
            var counts = BenchWordCount.Compile(records.Map(r => r.Value));
            var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            counts.ForEachBatch((batch, _) => done.TrySetResult(batch.Count));
            ssc.Start();
            clock.Advance(TimeSpan.FromSeconds(1));
            return done.Task.WaitAsync(TimeSpan.FromMinutes(1)).GetAwaiter().GetResult();
        }
        finally
        {
            ssc.StopAsync(graceful: false).GetAwaiter().GetResult();
        }
    }
}
