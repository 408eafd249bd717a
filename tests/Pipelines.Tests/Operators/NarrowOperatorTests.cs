using Pipelines.Testing;

namespace Pipelines.Tests.Operators;

public sealed class NarrowOperatorTests
{
    [Fact]
    public void Map_applies_the_function_to_each_record_batch_by_batch()
    {
        var output = StreamingTest.Run([[1, 2], [3]], s => s.Map(x => x * 10), numBatches: 3);

        Assert.Equal([[10, 20], [30], []], output);
    }

    [Fact]
    public void FlatMap_emits_every_returned_record_in_order()
    {
        var output = StreamingTest.Run([["a b", "c"], [""]], s => s.FlatMap(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)), numBatches: 2);

        Assert.Equal([["a", "b", "c"], []], output);
    }

    [Fact]
    public void FlatMap_that_returns_null_fails_the_batch_with_the_operator_and_time()
    {
        var error = Assert.Throws<StreamingOperatorException>(() =>
            StreamingTest.Run([[1]], s => s.FlatMap<int>(_ => null!), numBatches: 1));

        Assert.Equal("FlatMap", error.OperatorName);
        Assert.Equal(new BatchTime(1000), error.BatchTime);
        Assert.Contains("return an empty sequence", error.Message);
    }

    [Fact]
    public void Filter_keeps_the_records_the_predicate_accepts()
    {
        var output = StreamingTest.Run([[1, 2, 3, 4], [5]], s => s.Filter(x => x % 2 == 0), numBatches: 2);

        Assert.Equal([[2, 4], []], output);
    }

    [Fact]
    public void MapBatch_runs_once_per_partition()
    {
        var output = StreamingTest.Run(
            [[1, 2, 3, 4, 5]],
            s => s.Repartition(2).MapBatch(partition => new[] { partition.Sum() }),
            numBatches: 1);

        // Round-robin: partition 0 = 1,3,5 and partition 1 = 2,4.
        Assert.Equal([[9, 6]], output);
    }

    [Fact]
    public void Glom_gives_one_array_per_partition()
    {
        var output = StreamingTest.Run([[1, 2, 3]], s => s.Repartition(3).Glom(), numBatches: 2);

        Assert.Equal(2, output.Count);
        Assert.Equal([[1], [2], [3]], output[0]);
        Assert.Equal([[], [], []], output[1]);
    }

    [Fact]
    public void Repartition_keeps_every_record_and_rejects_non_positive_counts()
    {
        var output = StreamingTest.Run([[1, 2, 3, 4, 5, 6, 7]], s => s.Repartition(3).Glom().Map(p => p.Length), numBatches: 1);

        Assert.Equal([[3, 2, 2]], output);
        Assert.Throws<ArgumentOutOfRangeException>(() => StreamingTest.Run([[1]], s => s.Repartition(0), numBatches: 1));
    }

    [Fact]
    public void Union_holds_both_streams_records_and_their_partitions()
    {
        var output = StreamingTest.Run<int, int, int[]>(
            [[1, 2], [3]],
            [[10], []],
            (a, b) => a.Union(b).Glom(),
            numBatches: 2);

        Assert.Equal([[1, 2], [10]], output[0]);
        Assert.Equal([[3], []], output[1]);
    }

    [Fact]
    public void Count_gives_zero_for_an_empty_batch()
    {
        var output = StreamingTest.Run([["a", "b"], [], ["c"]], s => s.Count(), numBatches: 4);

        Assert.Equal([[2L], [0L], [1L], [0L]], output);
    }

    [Fact]
    public void Reduce_combines_a_batch_and_gives_nothing_for_an_empty_one()
    {
        var output = StreamingTest.Run([[1, 2, 3], []], s => s.Reduce((a, b) => a + b), numBatches: 2);

        Assert.Equal([[6], []], output);
    }

    [Fact]
    public void CountByValue_counts_each_distinct_record()
    {
        var output = StreamingTest.Run([["a", "b", "a"], []], s => s.CountByValue(), numBatches: 2);

        Assert.Equal([("a", 2L), ("b", 1L)], output[0].OrderBy(p => p.Value));
        Assert.Empty(output[1]);
    }

    [Fact]
    public void Transform_sees_the_whole_batch_and_its_time()
    {
        var output = StreamingTest.Run(
            [[3, 1, 2], [5]],
            s => s.Transform((batch, time) => batch.OrderBy(x => x).Select(x => $"{time.Milliseconds}:{x}")),
            numBatches: 2);

        Assert.Equal([["1000:1", "1000:2", "1000:3"], ["2000:5"]], output);
    }

    [Fact]
    public void TransformWith_combines_the_two_streams_batches_at_the_same_time()
    {
        var output = StreamingTest.Run<int, string, string>(
            [[1, 2], [3]],
            [["x"], ["y", "z"]],
            (numbers, letters) => numbers.TransformWith(letters, (n, l) => n.SelectMany(x => l.Select(y => $"{y}{x}"))),
            numBatches: 2);

        Assert.Equal([["x1", "x2"], ["y3", "z3"]], output);
    }

    [Fact]
    public void Transform_that_returns_null_fails_with_a_clear_message()
    {
        var error = Assert.Throws<StreamingOperatorException>(() => StreamingTest.Run([[1]], s => s.Transform<int>(_ => null!), numBatches: 1));

        Assert.Contains("Transform", error.Message);
    }

    [Fact]
    public void Null_functions_are_rejected_when_the_stream_is_defined()
    {
        StreamingTest.Run([[1]], s =>
        {
            Assert.Throws<ArgumentNullException>(() => s.Map<int>(null!));
            Assert.Throws<ArgumentNullException>(() => s.FlatMap<int>(null!));
            Assert.Throws<ArgumentNullException>(() => s.Filter(null!));
            Assert.Throws<ArgumentNullException>(() => s.MapBatch<int>(null!));
            Assert.Throws<ArgumentNullException>(() => s.Reduce(null!));
            Assert.Throws<ArgumentNullException>(() => s.Transform<int>((Func<Batch<int>, IEnumerable<int>>)null!));
            Assert.Throws<ArgumentNullException>(() => s.Union(null!));
            Assert.Throws<ArgumentNullException>(() => s.ForEachBatch((Action<Batch<int>, BatchTime>)null!));
            return s;
        }, numBatches: 1);
    }

    [Fact]
    public void A_stream_with_several_consumers_computes_each_batch_once()
    {
        var calls = 0;
        var output = StreamingTest.Run<int, int>([[1, 2], [3]], s =>
        {
            var shared = s.Map(x =>
            {
                Interlocked.Increment(ref calls);
                return x;
            });
            shared.Count().Print();
            return shared.Union(shared.Map(x => -x));
        }, numBatches: 2, batchInterval: TimeSpan.FromSeconds(1));

        Assert.Equal([[1, 2, -1, -2], [3, -3]], output);
        Assert.Equal(3, calls);
    }
}
