using System.Collections.Concurrent;
using Confluent.Kafka;
using Pipelines.Kafka.Testing;
using Pipelines.Testing;

namespace Pipelines.Kafka.Tests;

/// <summary>A mock cluster per test, producing helpers and a context stepped on a manual clock.</summary>
internal sealed class KafkaTestKit : IDisposable
{
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    public KafkaTestKit() => Cluster = new KafkaMockCluster(brokers: 3);

    public KafkaMockCluster Cluster { get; }

    public string Bootstrap => Cluster.BootstrapServers;

    public ConsumerConfig Consumer(string? group = "test-group", AutoOffsetReset reset = AutoOffsetReset.Earliest) => new()
    {
        BootstrapServers = Bootstrap,
        GroupId = group,
        AutoOffsetReset = reset,
    };

    /// <summary>Produces (key, value) records to explicit partitions and waits until all are acknowledged.</summary>
    public void Produce(string topic, IEnumerable<(int Partition, string Key, string Value)> records)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = Bootstrap, EnableIdempotence = true }).Build();
        foreach (var (partition, key, value) in records)
        {
            producer.Produce(new TopicPartition(topic, partition), new Message<string, string> { Key = key, Value = value });
        }

        if (producer.Flush(HangGuard) != 0)
        {
            throw new TimeoutException("The test producer could not deliver its records.");
        }
    }

    /// <summary>Reads a topic from its beginning to its end with the given isolation.</summary>
    public List<ConsumeResult<string, string>> ReadAll(string topic, IsolationLevel isolation = IsolationLevel.ReadCommitted)
    {
        var config = new ConsumerConfig { BootstrapServers = Bootstrap, GroupId = "reader-" + Guid.NewGuid(), IsolationLevel = isolation, EnablePartitionEof = true, EnableAutoCommit = false };
        using var consumer = new ConsumerBuilder<string, string>(config).Build();
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var metadata = admin.GetMetadata(topic, HangGuard).Topics.Single();
        if (metadata.Error.Code != ErrorCode.NoError)
        {
            return [];
        }

        var partitions = metadata.Partitions.Select(p => new TopicPartitionOffset(topic, p.PartitionId, Offset.Beginning)).ToList();
        consumer.Assign(partitions);
        var pending = new HashSet<int>(partitions.Select(p => p.Partition.Value));
        var results = new List<ConsumeResult<string, string>>();
        var deadline = DateTime.UtcNow + HangGuard;
        while (pending.Count > 0 && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result is null)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                pending.Remove(result.Partition.Value);
            }
            else
            {
                results.Add(result);
            }
        }

        if (pending.Count > 0)
        {
            throw new TimeoutException($"Could not read {topic} to its end.");
        }

        return results;
    }

    public void Dispose() => Cluster.Dispose();
}

/// <summary>Waits for batches to complete (a listener) and steps a manual clock one interval at a time.</summary>
internal sealed class BatchWaiter : IStreamingListener
{
    private readonly ConcurrentDictionary<BatchTime, TaskCompletionSource<BatchInfo>> _done = new();

    public BatchWaiter(StreamingContext context)
    {
        Context = context;
        context.AddStreamingListener(this);
    }

    public StreamingContext Context { get; }

    public void OnBatchCompleted(BatchInfo batch) => Completion(batch.BatchTime).TrySetResult(batch);

    public async Task<BatchInfo> WhenCompletedAsync(BatchTime time) =>
        await Completion(time).Task.WaitAsync(KafkaTestKit.HangGuard);

    /// <summary>Advances the manual clock by one interval and waits until that batch finished.</summary>
    public async Task<BatchTime> StepAsync()
    {
        var clock = (ManualClock)Context.TimeProvider;
        clock.Advance(Context.BatchInterval);
        var time = BatchTime.FromDateTimeOffset(clock.GetUtcNow());
        await WhenCompletedAsync(time);
        return time;
    }

    private TaskCompletionSource<BatchInfo> Completion(BatchTime time) =>
        _done.GetOrAdd(time, _ => new TaskCompletionSource<BatchInfo>(TaskCreationOptions.RunContinuationsAsynchronously));
}

/// <summary>A temporary folder, deleted at the end.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pipelines-kafka-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
