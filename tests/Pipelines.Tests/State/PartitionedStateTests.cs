using Pipelines.Testing;
using static Pipelines.Tests.Windows.Multisets;

namespace Pipelines.Tests.State;

/// <summary>
/// Keyed state split by key hash into partitions, each updated on its own task when the parallelism is above 1:
/// the states and mapped records equal a run with parallelism 1 (as multisets), partitions really run at once, and
/// a throwing partition leaves every partition's state as it was.
/// </summary>
public sealed class PartitionedStateTests
{
    private static readonly TimeSpan BarrierTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Batches large enough (over 2048 records) that the state runs its partitions in parallel.</summary>
    private static (int Key, int Value)[][] RandomBatches(int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, 6)
            .Select(b => Enumerable.Range(0, 3000).Select(_ => (random.Next(0, 700 + (b * 50)), random.Next(-3, 10))).ToArray())
            .ToArray();
    }

    private static StreamingOptions Options(int parallelism) => new() { Parallelism = parallelism, InputPartitionRecords = 700 };

    /// <summary>Counts and sums; a key whose sum passes 60 is dropped (so ids are freed and reused).</summary>
    private static Optional<(int Count, long Sum)> Update(IReadOnlyList<int> values, Optional<(int Count, long Sum)> state)
    {
        var (count, sum) = state.GetValueOrDefault((0, 0));
        foreach (var value in values)
        {
            count++;
            sum += value;
        }

        return sum > 60 ? Optional<(int, long)>.None : (count, sum);
    }

    private static IReadOnlyList<IReadOnlyList<T>> RunAll<T>(int parallelism, (int Key, int Value)[][] batches, Func<DStream<(int Key, int Value)>, DStream<T>> define)
    {
        using var run = StreamingTest.Start(batches, define, options: Options(parallelism));
        var outputs = new List<IReadOnlyList<T>>();
        for (var i = 0; i < batches.Length; i++)
        {
            var batch = run.Step();
            Assert.Null(batch.Failure);
            outputs.Add(batch.Records);
        }

        return outputs;
    }

    [Theory]
    [InlineData(2, null)]
    [InlineData(4, null)]
    [InlineData(4, 3)]
    [InlineData(2, 8)]
    public void UpdateStateByKey_in_partitions_gives_the_states_of_parallelism_1(int parallelism, int? numPartitions)
    {
        var batches = RandomBatches(seed: 12);
        DStream<(int Key, (int Count, long Sum) State)> Define(DStream<(int Key, int Value)> s) =>
            numPartitions is { } n ? s.UpdateStateByKey<int, int, (int, long)>((_, _, v, st) => Update(v, st), n) : s.UpdateStateByKey<int, int, (int, long)>(Update);

        var expected = RunAll(1, batches, Define);
        var actual = RunAll(parallelism, batches, Define);

        Assert.Equal(SortedBatches(expected), SortedBatches(actual));
        Assert.Contains(expected, b => b.Count > 500);
    }

    [Fact]
    public void UpdateStateByKey_outputs_one_partition_per_state_partition_each_key_in_one()
    {
        var batches = RandomBatches(seed: 3);
        using var run = StreamingTest.Start(batches, s => s.UpdateStateByKey<int, int, (int, long)>((_, _, v, st) => Update(v, st), 5).Glom(), options: Options(4));

        var partitions = run.Step().Records;

        Assert.Equal(5, partitions.Count);
        Assert.All(partitions, p => Assert.All(p, pair => Assert.Equal(pair.Item1 % 5, Array.IndexOf([.. partitions], p))));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void MapWithState_in_partitions_gives_the_records_and_snapshots_of_parallelism_1(int parallelism)
    {
        // Three empty batches at the end: the keys time out.
        var batches = RandomBatches(seed: 7).Concat([[], [], [], []]).ToArray();
        var spec = StateSpec.Function((BatchTime time, int key, Optional<int> value, State<long> state) =>
        {
            if (state.IsTimingOut)
            {
                return new Optional<(int, long, string)>((key, state.Get(), "timeout"));
            }

            var total = state.GetOption().GetValueOrDefault(0) + value.GetValueOrDefault(0);
            if (total > 40)
            {
                state.Remove();
            }
            else
            {
                state.Update(total);
            }

            return (key, total, "value");
        }).Timeout(TimeSpan.FromSeconds(2));

        var expectedRecords = RunAll(1, batches, s => s.MapWithState(spec));
        var actualRecords = RunAll(parallelism, batches, s => s.MapWithState(spec));
        var expectedStates = RunAll(1, batches, s => s.MapWithState(spec).StateSnapshots());
        var actualStates = RunAll(parallelism, batches, s => s.MapWithState(spec).StateSnapshots());

        // The records' results keep the batch's order whatever the partitioning; timeout calls come after them.
        Assert.Equal(expectedRecords.Select(b => b.Where(r => r.Item3 == "value")), actualRecords.Select(b => b.Where(r => r.Item3 == "value")));
        Assert.Equal(SortedBatches(expectedRecords), SortedBatches(actualRecords));
        Assert.Equal(SortedBatches(expectedStates), SortedBatches(actualStates));
        Assert.Contains(expectedRecords.SelectMany(b => b), r => r.Item3 == "timeout");
    }

    [Fact]
    public void MapWithState_in_partitions_emits_in_record_order()
    {
        var batch = Enumerable.Range(0, 4096).Select(i => ("k" + (i % 37), i)).ToArray();
        using var run = StreamingTest.Start(
            [batch],
            s => s.MapWithState(StateSpec.Function((string key, Optional<int> value, State<int> state) => value.Value).NumPartitions(4)),
            options: new StreamingOptions { Parallelism = 4 });

        Assert.Equal(Enumerable.Range(0, 4096), run.Step().Records);
    }

    [Fact]
    public void Two_state_partitions_are_updated_at_the_same_time()
    {
        // Keys 0 and 1 live in different partitions (int keys go to key % 2); each waits at the barrier for the
        // other, so updating the partitions one after the other would time out.
        using var barrier = new Barrier(2);
        var batch = Enumerable.Range(0, 4096).Select(i => (i % 100, 1)).ToArray();
        using var run = StreamingTest.Start(
            [batch],
            s => s.UpdateStateByKey<int, int, int>(
                (_, key, values, state) => key > 1 || barrier.SignalAndWait(BarrierTimeout) ? values.Count : throw new TimeoutException("the other partition never reached the barrier"),
                numPartitions: 2),
            options: new StreamingOptions { Parallelism = 2 });

        var output = run.Step();

        Assert.Null(output.Failure);
        Assert.Equal(Enumerable.Range(0, 100).Select(k => (k, 41 - (k < 96 ? 0 : 1))), Sorted(output.Records));
    }

    [Fact]
    public void A_throwing_state_partition_leaves_every_partitions_state_as_before()
    {
        var clean = Enumerable.Range(0, 4096).Select(i => (i % 64, 1)).ToArray();
        var poisoned = clean.Select((p, i) => i == 4000 ? (p.Item1, 13) : p).ToArray();
        using var run = StreamingTest.Start(
            [clean, poisoned, clean],
            s => s.UpdateStateByKey<int, int, int>(
                (_, _, values, state) => values.Contains(13) ? throw new InvalidOperationException("13 is not allowed") : values.Count + state.GetValueOrDefault(0),
                numPartitions: 4),
            options: new StreamingOptions { Parallelism = 4 });

        Assert.Equal(Enumerable.Range(0, 64).Select(k => (k, 64)), Sorted(run.Step().Records));
        Assert.NotNull(run.Step().Failure);
        Assert.Equal(Enumerable.Range(0, 64).Select(k => (k, 128)), Sorted(run.Step().Records));
    }
}
