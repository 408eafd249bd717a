using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;
using Pipelines.Testing;

namespace Pipelines.Kafka.Tests;

public sealed class FailureTests : IDisposable
{
    private readonly KafkaTestKit _kit = new();

    public void Dispose() => _kit.Dispose();

    private static StreamingContext NewContext() =>
        new(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = new ManualClock() });

    private sealed class StrictNumbers : IDeserializer<int>
    {
        public int Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) =>
            int.Parse(Encoding.UTF8.GetString(data), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_value_that_cannot_be_deserialized_stops_the_context_with_its_partition_and_offset()
    {
        _kit.Cluster.CreateTopic("numbers", partitions: 1);
        _kit.Produce("numbers", [(0, "k", "1"), (0, "k", "2"), (0, "k", "three"), (0, "k", "4")]);
        await using var ssc = NewContext();
        var stream = ssc.KafkaDirectStream<string, int>(_kit.Consumer(), ["numbers"], valueDeserializer: new StrictNumbers());
        var values = new ConcurrentBag<int>();
        stream.ForEachBatch((batch, _) =>
        {
            foreach (var record in batch)
            {
                values.Add(record.Value);
            }
        });
        ssc.Start();
        ((ManualClock)ssc.TimeProvider).Advance(ssc.BatchInterval);

        var error = await Assert.ThrowsAsync<KafkaSourceException>(() => ssc.AwaitTerminationAsync().WaitAsync(KafkaTestKit.HangGuard));
        Assert.Equal(2, error.Offset);
        Assert.Equal(new TopicPartition("numbers", 0), error.Partition);
        Assert.Contains("cannot be deserialized", error.Message, StringComparison.Ordinal);
        Assert.Empty(values); // the batch failed whole: no record of it reached the output
        Assert.Equal(StreamingContextState.Stopped, ssc.State);
    }

    [Fact]
    public async Task An_offset_out_of_range_with_reset_error_is_reported_and_the_batch_gets_nothing()
    {
        _kit.Cluster.CreateTopic("short", partitions: 1);
        _kit.Produce("short", [(0, "k", "a"), (0, "k", "b")]);
        await using var ssc = NewContext();
        var config = _kit.Consumer(group: null, reset: AutoOffsetReset.Error);
        var stream = ssc.KafkaDirectStream<string, string>(config, [new TopicPartitionOffset("short", 0, 50)]);
        var count = 0;
        stream.ForEachBatch((batch, _) => Interlocked.Add(ref count, batch.Count));
        ssc.Start();
        ((ManualClock)ssc.TimeProvider).Advance(ssc.BatchInterval);

        var error = await Assert.ThrowsAsync<KafkaSourceException>(() => ssc.AwaitTerminationAsync().WaitAsync(KafkaTestKit.HangGuard));
        Assert.Equal(50, error.Offset);
        Assert.Contains("out of range [0, 2]", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, Volatile.Read(ref count));
    }

    [Fact]
    public async Task An_offset_out_of_range_with_reset_earliest_continues_from_the_first_offset()
    {
        _kit.Cluster.CreateTopic("reset", partitions: 1);
        _kit.Produce("reset", [(0, "k", "a"), (0, "k", "b")]);
        await using var ssc = NewContext();
        var stream = ssc.KafkaDirectStream<string, string>(_kit.Consumer(group: null), [new TopicPartitionOffset("reset", 0, 50)]);
        var values = new ConcurrentBag<string>();
        stream.ForEachBatch((batch, _) =>
        {
            foreach (var record in batch)
            {
                values.Add(record.Value);
            }
        });
        var waiter = new BatchWaiter(ssc);
        ssc.Start();
        await waiter.StepAsync();
        Assert.Equal(["a", "b"], values.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Unreachable_brokers_give_empty_batches_then_a_clear_error_after_the_timeout()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // a port nobody listens on
        await using var ssc = NewContext();
        var stream = ssc.KafkaDirectStream<string, string>(
            new ConsumerConfig { BootstrapServers = $"127.0.0.1:{port}", GroupId = "g", SocketConnectionSetupTimeoutMs = 1000 },
            ["anything"],
            new KafkaDirectStreamOptions { RequestTimeout = TimeSpan.FromMilliseconds(500), UnreachableTimeout = TimeSpan.Zero });
        var sizes = new ConcurrentBag<int>();
        stream.ForEachBatch((batch, _) => sizes.Add(batch.Count));
        var waiter = new BatchWaiter(ssc);
        ssc.Start();
        await waiter.StepAsync(); // the first failure: a warning, an empty batch
        await waiter.StepAsync(); // beyond the timeout: reported

        var error = await Assert.ThrowsAsync<KafkaSourceException>(() => ssc.AwaitTerminationAsync().WaitAsync(KafkaTestKit.HangGuard));
        Assert.Contains("unreachable", error.Message, StringComparison.Ordinal);
        Assert.All(sizes, size => Assert.Equal(0, size));
    }
}
