using System.Collections.Concurrent;
using Pipelines.Testing;

namespace Pipelines.Kafka.Tests;

public sealed class RecoveryTests : IDisposable
{
    private readonly KafkaTestKit _kit = new();
    private readonly TempFolder _folder = new();

    public void Dispose()
    {
        _folder.Dispose();
        _kit.Dispose();
    }

    private sealed record Seen(IReadOnlyList<OffsetRange> Ranges, string[] Values);

    private StreamingContext Build(ManualClock clock, ConcurrentDictionary<BatchTime, Seen> seen, BatchTime? blockAt) =>
        StreamingContext.GetOrCreate(_folder.Path, () =>
        {
            var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock });
            var stream = ssc.KafkaDirectStream<string, string>(_kit.Consumer(), ["replayed"], new KafkaDirectStreamOptions { MaxRatePerPartition = 3 });
            stream.ForEachBatch(async (batch, time, ct) =>
            {
                seen[time] = new Seen(stream.OffsetRanges(time), batch.Select(r => r.Value).ToArray());
                if (time == blockAt)
                {
                    await Task.Delay(Timeout.Infinite, ct); // "crashes" here: cancelled by the hard stop, never completes
                }
            });
            return ssc;
        });

    [Fact]
    public async Task A_batch_pending_at_a_crash_reads_exactly_its_journaled_ranges_after_recovery()
    {
        _kit.Cluster.CreateTopic("replayed", partitions: 2);
        _kit.Produce("replayed", Enumerable.Range(0, 20).Select(i => (i % 2, "k", $"v{i}")));
        var clock = new ManualClock();
        var first = new ConcurrentDictionary<BatchTime, Seen>();
        var t3 = BatchTime.FromDateTimeOffset(clock.GetUtcNow()) + TimeSpan.FromSeconds(3);
        var crashed = Build(clock, first, blockAt: t3);
        var waiter = new BatchWaiter(crashed);
        crashed.Start();
        await waiter.StepAsync();
        await waiter.StepAsync();
        clock.Advance(TimeSpan.FromSeconds(1)); // batch 3 is decided, journaled and starts, then hangs
        while (!first.ContainsKey(t3))
        {
            await Task.Delay(10);
        }

        _kit.Produce("replayed", Enumerable.Range(20, 10).Select(i => (i % 2, "k", $"v{i}"))); // arrives after batch 3 was decided
        await crashed.StopAsync(graceful: false);

        var second = new ConcurrentDictionary<BatchTime, Seen>();
        var recoveredClock = new ManualClock(clock.GetUtcNow());
        await using var recovered = Build(recoveredClock, second, blockAt: null);
        var recoveredWaiter = new BatchWaiter(recovered);
        recovered.Start();
        await recoveredWaiter.WhenCompletedAsync(t3);

        Assert.Equal(t3 - TimeSpan.FromSeconds(1), recovered.RecoveredFrom);
        Assert.Equal(first[t3].Ranges, second[t3].Ranges);
        Assert.Equal(first[t3].Values, second[t3].Values);
        Assert.Equal(6, second[t3].Values.Length); // 3 per partition: the cap, not the records that arrived later

        // The next batch continues where the replayed ranges ended.
        var t4 = await recoveredWaiter.StepAsync();
        Assert.All(second[t4].Ranges, r => Assert.Equal(second[t3].Ranges.Single(p => p.Partition == r.Partition).UntilOffset, r.FromOffset));
        var all = first.Where(f => f.Key < t3).Concat(second).SelectMany(s => s.Value.Values).ToArray();
        Assert.Equal(all.Length, all.Distinct().Count());
    }

    [Fact]
    public async Task A_checkpoint_of_another_source_is_refused_with_a_clear_message()
    {
        _kit.Cluster.CreateTopic("replayed", partitions: 1);
        _kit.Cluster.CreateTopic("other", partitions: 1);
        var clock = new ManualClock();
        await using (var ssc = Build(clock, new ConcurrentDictionary<BatchTime, Seen>(), blockAt: null))
        {
            var waiter = new BatchWaiter(ssc);
            ssc.Start();
            await waiter.StepAsync();
            await ssc.StopAsync();
        }

        await using var changed = StreamingContext.GetOrCreate(_folder.Path, () =>
        {
            var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = new ManualClock(clock.GetUtcNow()) });
            ssc.KafkaDirectStream<string, string>(_kit.Consumer(), ["other"]).ForEachBatch((_, _) => { });
            return ssc;
        });
        var error = Assert.Throws<CheckpointException>(changed.Start);
        Assert.Contains("kafka:topics=replayed", error.Message, StringComparison.Ordinal);
        Assert.Contains("kafka:topics=other", error.Message, StringComparison.Ordinal);
    }
}
