using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Pipelines.Testing;

namespace Pipelines.Kafka.Tests;

public sealed class DirectStreamTests : IDisposable
{
    private readonly KafkaTestKit _kit = new();

    public void Dispose() => _kit.Dispose();

    private static StreamingContext NewContext(ManualClock clock, BackpressureOptions? backpressure = null) =>
        new(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock, Backpressure = backpressure ?? new BackpressureOptions() });

    private static IEnumerable<(int, string, string)> Records(string prefix, int partitions, int perPartition) =>
        from p in Enumerable.Range(0, partitions)
        from i in Enumerable.Range(0, perPartition)
        select (p, $"k{p}", $"{prefix}-{p}-{i}");

    [Fact]
    public async Task Each_record_is_read_once_and_each_kafka_partition_is_one_batch_partition()
    {
        _kit.Cluster.CreateTopic("events", partitions: 4);
        _kit.Produce("events", Records("a", 4, 25));
        await using var ssc = NewContext(new ManualClock());
        var stream = ssc.KafkaDirectStream<string, string>(_kit.Consumer(), ["events"]);
        var seen = new ConcurrentBag<(BatchTime Time, int BatchPartition, KafkaRecord<string, string> Record, OffsetRange Range)>();
        stream.ForEachBatch((batch, time) =>
        {
            var ranges = stream.OffsetRanges(time);
            Assert.Equal(ranges.Count, batch.PartitionCount);
            for (var i = 0; i < batch.PartitionCount; i++)
            {
                foreach (var record in batch.GetPartition(i))
                {
                    seen.Add((time, i, record, ranges[i]));
                }
            }
        });
        var waiter = new BatchWaiter(ssc);
        ssc.Start();
        await waiter.StepAsync();
        _kit.Produce("events", Records("b", 4, 5));
        await waiter.StepAsync();
        await waiter.StepAsync();

        var values = seen.Select(s => s.Record.Value).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Records("a", 4, 25).Concat(Records("b", 4, 5)).Select(r => r.Item3).Order(StringComparer.Ordinal), values);
        Assert.All(seen, s =>
        {
            Assert.Equal(s.Range.Topic, s.Record.Topic);
            Assert.Equal(s.Range.Partition, s.Record.Partition);
            Assert.InRange(s.Record.Offset, s.Range.FromOffset, s.Range.UntilOffset - 1);
            Assert.Equal($"k{s.Record.Partition}", s.Record.Key);
            Assert.StartsWith($"{(s.Record.Value[0])}-{s.Record.Partition}-", s.Record.Value);
        });
    }

    [Fact]
    public async Task Max_rate_per_partition_caps_each_range_and_nothing_is_lost()
    {
        _kit.Cluster.CreateTopic("capped", partitions: 4);
        _kit.Produce("capped", Records("r", 4, 35));
        await using var ssc = NewContext(new ManualClock());
        var stream = ssc.KafkaDirectStream<string, string>(_kit.Consumer(), ["capped"], new KafkaDirectStreamOptions { MaxRatePerPartition = 10 });
        var ranges = new ConcurrentBag<OffsetRange>();
        var values = new ConcurrentBag<string>();
        stream.ForEachBatch((batch, time) =>
        {
            foreach (var r in stream.OffsetRanges(time))
            {
                ranges.Add(r);
            }

            foreach (var record in batch)
            {
                values.Add(record.Value);
            }
        });
        var waiter = new BatchWaiter(ssc);
        ssc.Start();
        for (var i = 0; i < 4; i++)
        {
            await waiter.StepAsync();
        }

        Assert.All(ranges, r => Assert.InRange(r.Count, 0, 10));
        Assert.Equal(4 * 4, ranges.Count);
        Assert.Equal(140, values.Count); // 3 full batches of 40, then the last 5 of each partition
        Assert.Equal(140, values.Distinct().Count());
    }

    [Fact]
    public async Task Backpressure_lowers_the_ranges_when_processing_is_slow_down_to_the_min_rate_floor()
    {
        _kit.Cluster.CreateTopic("slow", partitions: 4);
        _kit.Produce("slow", Records("s", 4, 8000));
        var clock = new ManualClock();
        await using var ssc = NewContext(clock, new BackpressureOptions { Enabled = true, MinRate = 8 });
        var stream = ssc.KafkaDirectStream<string, string>(_kit.Consumer(), ["slow"], new KafkaDirectStreamOptions { MaxRatePerPartition = 500, MinRatePerPartition = 1 });
        var sizes = new ConcurrentDictionary<BatchTime, long>();
        var processed = 0;
        stream.ForEachBatch((batch, time) =>
        {
            sizes[time] = stream.OffsetRanges(time).Sum(r => r.Count);
            Assert.Equal(sizes[time], batch.Count);

            // Slow processing: each of the first batches takes four batch intervals of (manual) time.
            if (Interlocked.Increment(ref processed) <= 4)
            {
                clock.Advance(TimeSpan.FromSeconds(4));
            }
        });
        var waiter = new BatchWaiter(ssc);
        ssc.Start();
        var first = await waiter.StepAsync();
        var last = first + TimeSpan.FromSeconds(16);
        await waiter.WhenCompletedAsync(last);

        Assert.Equal(2000, sizes[first]); // 4 partitions × 500/s × 1 s: the max rate before any estimate
        var later = sizes.Where(s => s.Key > first + TimeSpan.FromSeconds(8)).Select(s => s.Value).ToArray();
        var all = string.Join(", ", sizes.OrderBy(s => s.Key).Select(s => $"{(s.Key - first).TotalSeconds}s:{s.Value}"));
        Assert.True(later.Length > 0, all);
        Assert.True(later.All(size => size is >= 4 and < 2000), all); // lowered, but each partition moves (the floor)
        Assert.Contains(later, size => size < 1000);
    }

    [Fact]
    public async Task A_pattern_subscription_picks_up_new_topics_and_reads_them_from_their_beginning()
    {
        _kit.Cluster.CreateTopic("logs.a", partitions: 2);
        _kit.Produce("logs.a", Records("a", 2, 3));
        await using var ssc = NewContext(new ManualClock());
        var stream = ssc.KafkaDirectStream<string, string>(_kit.Consumer(reset: AutoOffsetReset.Latest), new Regex(@"logs\..*"));
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
        await waiter.StepAsync(); // latest: the 6 records already in logs.a are not read
        _kit.Cluster.CreateTopic("logs.b", partitions: 3);
        _kit.Produce("logs.b", Records("b", 3, 2));
        _kit.Produce("logs.a", Records("c", 2, 1));
        await waiter.StepAsync();
        await waiter.StepAsync();

        Assert.Equal(
            Records("b", 3, 2).Concat(Records("c", 2, 1)).Select(r => r.Item3).Order(StringComparer.Ordinal),
            values.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Assign_starts_at_the_given_offsets_and_reads_only_the_assigned_partitions()
    {
        _kit.Cluster.CreateTopic("assigned", partitions: 3);
        _kit.Produce("assigned", Records("x", 3, 10));
        await using var ssc = NewContext(new ManualClock());
        var stream = ssc.KafkaDirectStream<string, string>(
            _kit.Consumer(group: null),
            [new TopicPartitionOffset("assigned", 0, 7), new TopicPartitionOffset("assigned", 2, Offset.Beginning)]);
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

        var expected = new[] { "x-0-7", "x-0-8", "x-0-9" }.Concat(Enumerable.Range(0, 10).Select(i => $"x-2-{i}"));
        Assert.Equal(expected.Order(StringComparer.Ordinal), values.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CommitAsync_commits_the_range_ends_and_a_fresh_stream_of_the_group_resumes_there()
    {
        _kit.Cluster.CreateTopic("committed", partitions: 2);
        _kit.Produce("committed", Records("m", 2, 4));
        await using (var ssc = NewContext(new ManualClock()))
        {
            var stream = ssc.KafkaDirectStream<string, string>(_kit.Consumer("g1"), ["committed"]);
            stream.ForEachBatch(async (batch, time, ct) => await stream.CommitAsync(stream.OffsetRanges(time), ct));
            var waiter = new BatchWaiter(ssc);
            ssc.Start();
            await waiter.StepAsync();
        }

        using (var consumer = new ConsumerBuilder<string, string>(_kit.Consumer("g1")).Build())
        {
            var committed = consumer.Committed([new TopicPartition("committed", 0), new TopicPartition("committed", 1)], KafkaTestKit.HangGuard);
            Assert.All(committed, c => Assert.Equal(4, c.Offset.Value));
        }

        _kit.Produce("committed", Records("n", 2, 1));
        await using var again = NewContext(new ManualClock());
        var resumed = again.KafkaDirectStream<string, string>(_kit.Consumer("g1"), ["committed"]);
        var values = new ConcurrentBag<string>();
        resumed.ForEachBatch((batch, _) =>
        {
            foreach (var record in batch)
            {
                values.Add(record.Value);
            }
        });
        var second = new BatchWaiter(again);
        again.Start();
        await second.StepAsync();
        Assert.Equal(["n-0-0", "n-1-0"], values.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CommitAsync_without_a_group_id_says_to_set_one()
    {
        _kit.Cluster.CreateTopic("nogroup", partitions: 1);
        await using var ssc = NewContext(new ManualClock());
        var stream = ssc.KafkaDirectStream<string, string>(_kit.Consumer(group: null), ["nogroup"]);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => stream.CommitAsync([new OffsetRange("nogroup", 0, 0, 1)]));
        Assert.Contains("GroupId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OffsetRanges_of_a_derived_stream_is_a_clear_error()
    {
        await using var ssc = NewContext(new ManualClock());
        var stream = ssc.KafkaDirectStream<string, string>(_kit.Consumer(), ["t"]);
        var derived = stream.Filter(_ => true);
        var error = Assert.Throws<ArgumentException>(() => derived.OffsetRanges(new BatchTime(1000)));
        Assert.Contains("not a Kafka direct stream", error.Message, StringComparison.Ordinal);
    }
}
