using Pipelines.Stateful;
using Pipelines.Testing;
using Pipelines.Tests.Receivers;
using static Pipelines.Tests.Windows.Multisets;

namespace Pipelines.Tests.Partitioning;

/// <summary>
/// Partitions of one batch run at the same time (up to <see cref="StreamingOptions.Parallelism"/>), sources cut
/// batches into partitions, and the results equal a run with parallelism 1 (as multisets).
/// </summary>
public sealed class ParallelPartitionTests
{
    private static readonly TimeSpan BarrierTimeout = TimeSpan.FromSeconds(30);

    private static StreamingOptions Options(int parallelism, int partitionRecords) =>
        new() { Parallelism = parallelism, InputPartitionRecords = partitionRecords };

    /// <summary>Two partitions of 2048 records: large enough to be worth running at once.</summary>
    private static readonly int[] TwoPartitions = Enumerable.Range(0, 2 * PartitionSize).ToArray();

    private const int PartitionSize = 2048;

    [Fact]
    public void Two_partitions_of_one_batch_run_at_the_same_time()
    {
        // The first record of each partition waits at a barrier for the other's: sequential partitions would time out.
        using var barrier = new Barrier(2);
        using var run = StreamingTest.Start<int, int>(
            [TwoPartitions],
            s => s.Map(n => n % PartitionSize != 0 || barrier.SignalAndWait(BarrierTimeout) ? n : throw new TimeoutException("the other partition never reached the barrier")),
            options: Options(parallelism: 2, partitionRecords: PartitionSize));

        var batch = run.Step();

        Assert.Null(batch.Failure);
        Assert.Equal(TwoPartitions, batch.Records);
    }

    [Fact]
    public void Both_sides_of_a_shuffle_run_partitions_at_the_same_time()
    {
        using var mapSide = new Barrier(2);
        using var reduceSide = new Barrier(2);
        using var run = StreamingTest.Start<(int, int), (int, int)>(
            [TwoPartitions.Select(n => (n, n))],
            s => s.CombineByKey(
                v => v % PartitionSize != 0 || mapSide.SignalAndWait(BarrierTimeout) ? v : throw new TimeoutException("map side ran alone"),
                (c, v) => c + v,
                (a, b) => a + b,
                numPartitions: 2).Map(pair => pair.Item1 > 1 || reduceSide.SignalAndWait(BarrierTimeout) ? pair : throw new TimeoutException("reduce side ran alone")),
            options: Options(parallelism: 2, partitionRecords: PartitionSize));

        var batch = run.Step();

        Assert.Null(batch.Failure);
        Assert.Equal(TwoPartitions.Select(n => (n, n)), Sorted(batch.Records));
    }

    [Fact]
    public void A_throwing_partition_fails_only_its_batch_and_keyed_state_stays_as_before()
    {
        var clean = Enumerable.Range(0, 4096).Select(i => ("k" + (i % 4), 1)).ToArray();
        var poisoned = clean.Select((p, i) => i == 3000 ? (p.Item1, 13) : p).ToArray();
        using var run = StreamingTest.Start(
            [clean, poisoned, clean],
            s => s.Map(p => p.Item2 == 13 ? throw new InvalidOperationException("13 is not allowed") : p)
                  .ReduceByKey((x, y) => x + y)
                  .UpdateStateByKey<string, int, int>((values, state) => values.Sum() + state.GetValueOrDefault(0)),
            options: Options(parallelism: 4, partitionRecords: 512));

        Assert.Equal([("k0", 1024), ("k1", 1024), ("k2", 1024), ("k3", 1024)], Sorted(run.Step().Records));
        var failed = run.Step();
        var error = Assert.IsType<StreamingOperatorException>(failed.Failure);
        Assert.Equal("Map", error.OperatorName);
        Assert.Equal([("k0", 2048), ("k1", 2048), ("k2", 2048), ("k3", 2048)], Sorted(run.Step().Records));
    }

    [Fact]
    public void Queued_collections_larger_than_the_partition_size_are_split_in_order()
    {
        using var run = StreamingTest.Start<int, int[]>([[1, 2, 3, 4, 5]], s => s.Glom(), options: Options(parallelism: 1, partitionRecords: 2));

        var partitions = run.Step().Records;

        Assert.Equal(["1,2", "3,4", "5"], partitions.Select(p => string.Join(",", p)));
    }

    [Fact]
    public void Repartition_spreads_records_over_the_partitions_and_keeps_them_all()
    {
        using var run = StreamingTest.Start<int, int[]>([Enumerable.Range(0, 10)], s => s.Repartition(3).Glom(), options: Options(parallelism: 4, partitionRecords: 100));

        var partitions = run.Step().Records;

        Assert.Equal(3, partitions.Count);
        Assert.All(partitions, p => Assert.InRange(p.Length, 3, 4));
        Assert.Equal(Enumerable.Range(0, 10), Sorted(partitions.SelectMany(p => p)));
    }

    [Fact]
    public void A_shuffle_puts_each_key_in_exactly_one_of_numPartitions_partitions()
    {
        var input = Enumerable.Range(0, 200).Select(i => (i % 23, 1)).ToArray();
        using var run = StreamingTest.Start<(int, int), (int, int)[]>(
            [input], s => s.ReduceByKey((a, b) => a + b, numPartitions: 5).Glom(), options: Options(parallelism: 4, partitionRecords: 7));

        var partitions = run.Step().Records;

        Assert.Equal(5, partitions.Count);
        var keys = partitions.SelectMany(p => p.Select(pair => pair.Item1)).ToArray();
        Assert.Equal(keys.Length, keys.Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 23).Select(k => (k, input.Count(p => p.Item1 == k))), Sorted(partitions.SelectMany(p => p)));
    }

    [Fact]
    public void String_keys_go_to_the_partition_a_fixed_hash_picks_so_a_shuffle_prints_in_the_same_order_every_run()
    {
        // .NET randomizes string.GetHashCode per process; the shuffle hashes strings with FNV-1a instead, so the
        // output is partition 0..3 in order and, inside each, the keys of that partition in first-seen order.
        var words = Enumerable.Range(0, 3000).Select(i => "w" + ((i * 7) % 97).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        using var run = StreamingTest.Start<string, (string, int)[]>(
            [words], s => s.Map(w => (w, 1)).ReduceByKey((a, b) => a + b, numPartitions: 4).Glom(), options: Options(parallelism: 4, partitionRecords: 500));

        var partitions = run.Step().Records;

        Assert.Equal(4, partitions.Count);
        for (var h = 0; h < 4; h++)
        {
            var expected = words.Distinct().Where(w => Fnv1a(w) % 4 == h).Select(w => (w, words.Count(x => x == w)));
            Assert.Equal(expected, partitions[h]);
        }

        static uint Fnv1a(string text)
        {
            var hash = 2166136261u;
            foreach (var c in text)
            {
                hash = (hash ^ c) * 16777619u;
            }

            return hash;
        }
    }

    public static TheoryData<int, int> Settings => new() { { 1, 1 }, { 2, 300 }, { 4, 1 }, { 4, 500 }, { 8, 200 } };

    [Theory]
    [MemberData(nameof(Settings))]
    public void Every_operator_gives_the_same_multisets_as_parallelism_1(int parallelism, int partitionRecords)
    {
        var random = new Random(20261203);
        var input = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, random.Next(0, 4000)).Select(_ => (random.Next(0, 300), random.Next(-5, 20))).ToArray()).ToArray();
        var other = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, random.Next(0, 1500)).Select(_ => (random.Next(0, 400), random.Next(0, 3).ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray()).ToArray();

        Same(s => s.Map(p => p.Item1 * 100 + p.Item2).Filter(n => n % 3 != 0).FlatMap(n => new[] { n, -n }).Map(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Same(s => s.MapValues(v => v * 2).FlatMapValues(v => new[] { v, v + 1 }).Map(p => p.ToString()));
        Same(s => s.MapBatch(records => records.Select(p => p.Item2)).Map(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Same(s => s.ReduceByKey((a, b) => a + b).Map(p => p.ToString()));
        Same(s => s.Map(p => p.Item2).CountByValue().Map(p => p.ToString()));
        Same(s => s.GroupByKey().Map(g => $"{g.Key}:{string.Join(",", g.Values.Order())}"));
        Same(s => s.CombineByKey(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture), (c, v) => c + "+" + v, (a, b) => a + "+" + b)
                   .Map(p => $"{p.Key}:{string.Join("+", p.Value.Split('+').Order())}"));
        Same(s => s.Count().Map(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Same(s => s.Map(p => p.Item2).Reduce((a, b) => a + b).Map(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        SameBinary((l, r) => l.Join(r).Map(p => p.ToString()));
        SameBinary((l, r) => l.LeftOuterJoin(r).Map(p => p.ToString()));
        SameBinary((l, r) => l.RightOuterJoin(r).Map(p => p.ToString()));
        SameBinary((l, r) => l.FullOuterJoin(r).Map(p => p.ToString()));
        SameBinary((l, r) => l.CoGroup(r).Map(p => $"{p.Key}:{string.Join(",", p.Value.Left.Order())}|{string.Join(",", p.Value.Right.Order())}"));

        void Same(Func<DStream<(int Key, int Value)>, DStream<string>> operation)
        {
            using var reference = StreamingTest.Start(input, operation, options: Options(1, int.MaxValue));
            using var parallel = StreamingTest.Start(input, operation, options: Options(parallelism, partitionRecords));
            for (var i = 0; i < input.Length + 1; i++)
            {
                Assert.Equal(Sorted(reference.Step().Records), Sorted(parallel.Step().Records));
            }
        }

        void SameBinary(Func<DStream<(int Key, int Value)>, DStream<(int Key, string Value)>, DStream<string>> operation)
        {
            using var reference = StreamingTest.Start(input, other, operation, options: Options(1, int.MaxValue));
            using var parallel = StreamingTest.Start(input, other, operation, options: Options(parallelism, partitionRecords));
            for (var i = 0; i < input.Length + 1; i++)
            {
                Assert.Equal(Sorted(reference.Step().Records), Sorted(parallel.Step().Records));
            }
        }
    }

    [Fact]
    public async Task A_receiver_cuts_a_block_every_block_interval_and_each_block_is_a_partition()
    {
        var clock = new ManualClock();
        await using var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock, BlockInterval = TimeSpan.FromMilliseconds(200), Parallelism = 2 });
        var receiver = new ManualReceiver<int>();
        var collected = new Collector<int[]>(ssc.ReceiverStream(receiver).Glom());
        ssc.Start();

        receiver.Store([1, 2, 3]);
        clock.Advance(TimeSpan.FromMilliseconds(200));
        receiver.Store([4, 5]);
        clock.Advance(TimeSpan.FromMilliseconds(400));
        receiver.Store(6);
        clock.Advance(TimeSpan.FromMilliseconds(400));
        var time = BatchTime.FromDateTimeOffset(clock.GetUtcNow());
        await ssc.Scheduler!.WhenCompletedAsync(time).Guard("the first batch");

        // Blocks cut at 200 ms (1, 2, 3), 400 ms (4, 5) and 800 ms (6); the batch at 1 s holds the three.
        Assert.Equal(["1,2,3", "4,5", "6"], collected.At(time).Select(p => string.Join(",", p)));
    }
}
