using Confluent.Kafka;
using Pipelines.Testing;

namespace Pipelines.Kafka.Tests;

public sealed class SinkTests : IDisposable
{
    private readonly KafkaTestKit _kit = new();

    public void Dispose() => _kit.Dispose();

    private ProducerConfig Producer(string id) => new() { BootstrapServers = _kit.Bootstrap, TransactionalId = id };

    private async Task<(KafkaSink Sink, int Written)> RunAsync(string transactionalId, DateTimeOffset start, params string[][] batches)
    {
        await using var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = new ManualClock(start) });
        var sink = ssc.QueueStream(batches).SaveToKafka(Producer(transactionalId), "sunk", value => (value, value));
        var waiter = new BatchWaiter(ssc);
        ssc.Start();
        foreach (var _ in batches)
        {
            var time = await waiter.StepAsync();
            Assert.Null((await waiter.WhenCompletedAsync(time)).Failure);
        }

        await ssc.StopAsync();
        await sink.DisposeAsync();
        return (sink, batches.Length);
    }

    [Fact]
    public async Task Batches_committed_before_are_skipped_when_replayed_and_new_ones_are_written()
    {
        _kit.Cluster.CreateTopic("sunk", partitions: 2);
        var start = DateTimeOffset.UnixEpoch.AddDays(1);
        var (first, _) = await RunAsync("sink-a", start, ["a", "b"], ["c"]);
        Assert.Equal(0, first.SkippedReplays);
        Assert.Equal(new BatchTime(start.ToUnixTimeMilliseconds() + 2000), first.LastCommittedBatch);

        // The same batch times again (as a recovery replays them), then one more.
        var (again, _) = await RunAsync("sink-a", start, ["a", "b"], ["c"], ["d"]);
        Assert.Equal(2, again.SkippedReplays);

        var values = _kit.ReadAll("sunk").Select(r => r.Message.Value).Order(StringComparer.Ordinal);
        Assert.Equal(["a", "b", "c", "d"], values);
        Assert.Equal("pipelines-progress-sink-a", again.ProgressTopic);
        Assert.Equal(3, _kit.ReadAll(again.ProgressTopic).Count); // one progress record per written batch
    }

    [Fact]
    public async Task Another_transactional_id_has_its_own_progress()
    {
        _kit.Cluster.CreateTopic("sunk", partitions: 1);
        var start = DateTimeOffset.UnixEpoch.AddDays(1);
        await RunAsync("sink-x", start, ["x"]);
        var (other, _) = await RunAsync("sink-y", start, ["y"]);
        Assert.Equal(0, other.SkippedReplays);
        Assert.Equal(["x", "y"], _kit.ReadAll("sunk").Select(r => r.Message.Value).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SaveToKafka_without_a_transactional_id_says_to_set_a_stable_one()
    {
        await using var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = new ManualClock() });
        var error = Assert.Throws<ArgumentException>(() =>
            ssc.QueueStream(new[] { new[] { "a" } }).SaveToKafka(new ProducerConfig { BootstrapServers = _kit.Bootstrap }, "t", v => (v, v)));
        Assert.Contains("TransactionalId", error.Message, StringComparison.Ordinal);
    }
}
