using Pipelines.Testing;

namespace Pipelines.Tests.Pairs;

public sealed class PairOperatorTests
{
    private static IEnumerable<T> Sorted<T>(IEnumerable<T> records) => records.OrderBy(r => r?.ToString(), StringComparer.Ordinal);

    [Fact]
    public void ReduceByKey_combines_each_keys_values_per_batch()
    {
        var output = StreamingTest.Run(
            [[("a", 1), ("b", 2), ("a", 3)], [("b", 5)], []],
            s => s.ReduceByKey((x, y) => x + y),
            numBatches: 3);

        Assert.Equal([("a", 4), ("b", 2)], Sorted(output[0]));
        Assert.Equal([("b", 5)], output[1]);
        Assert.Empty(output[2]);
    }

    [Fact]
    public void GroupByKey_keeps_values_in_arrival_order()
    {
        var output = StreamingTest.Run([[("a", 1), ("b", 2), ("a", 3)]], s => s.GroupByKey().Map(g => $"{g.Key}:{string.Join(',', g.Values)}"), numBatches: 1);

        Assert.Equal(["a:1,3", "b:2"], Sorted(output[0]));
    }

    [Fact]
    public void CombineByKey_merges_combiners_across_partitions()
    {
        var output = StreamingTest.Run(
            [[("a", 1), ("a", 2), ("a", 3), ("b", 4)]],
            s => s.Repartition(2).CombineByKey(v => (Sum: v, N: 1), (c, v) => (c.Sum + v, c.N + 1), (c1, c2) => (c1.Sum + c2.Sum, c1.N + c2.N))
                  .MapValues(c => (double)c.Sum / c.N),
            numBatches: 1);

        Assert.Equal([("a", 2.0), ("b", 4.0)], Sorted(output[0]));
    }

    [Fact]
    public void MapValues_and_FlatMapValues_keep_the_key()
    {
        var output = StreamingTest.Run(
            [[("a", "x y"), ("b", "")]],
            s => s.FlatMapValues(v => v.Split(' ', StringSplitOptions.RemoveEmptyEntries)).MapValues(v => v.ToUpperInvariant()),
            numBatches: 1);

        Assert.Equal([("a", "X"), ("a", "Y")], output[0]);
    }

    [Fact]
    public void Join_pairs_every_value_of_a_key_on_both_sides()
    {
        var output = StreamingTest.Run<(string, int), (string, char), (string, (int, char))>(
            [[("a", 1), ("a", 2), ("b", 3), ("c", 4)]],
            [[("a", 'x'), ("b", 'y'), ("b", 'z'), ("d", 'w')]],
            (left, right) => left.Join(right),
            numBatches: 1);

        Assert.Equal([("a", (1, 'x')), ("a", (2, 'x')), ("b", (3, 'y')), ("b", (3, 'z'))], Sorted(output[0]));
    }

    [Fact]
    public void LeftOuterJoin_pairs_unmatched_left_values_with_none()
    {
        var output = StreamingTest.Run<(string, int), (string, char), (string, (int, Optional<char>))>(
            [[("a", 1), ("c", 4)]],
            [[("a", 'x'), ("d", 'w')]],
            (left, right) => left.LeftOuterJoin(right),
            numBatches: 1);

        Assert.Equal([("a", (1, Optional.Of('x'))), ("c", (4, Optional<char>.None))], Sorted(output[0]));
    }

    [Fact]
    public void RightOuterJoin_pairs_unmatched_right_values_with_none()
    {
        var output = StreamingTest.Run<(string, int), (string, char), (string, (Optional<int>, char))>(
            [[("a", 1), ("c", 4)]],
            [[("a", 'x'), ("d", 'w')]],
            (left, right) => left.RightOuterJoin(right),
            numBatches: 1);

        Assert.Equal([("a", (Optional.Of(1), 'x')), ("d", (Optional<int>.None, 'w'))], Sorted(output[0]));
    }

    [Fact]
    public void FullOuterJoin_keeps_unmatched_values_of_both_sides()
    {
        var output = StreamingTest.Run<(string, int), (string, char), (string, (Optional<int>, Optional<char>))>(
            [[("a", 1), ("c", 4)], []],
            [[("a", 'x'), ("d", 'w')], [("e", 'v')]],
            (left, right) => left.FullOuterJoin(right),
            numBatches: 2);

        Assert.Equal(
            [("a", (Optional.Of(1), Optional.Of('x'))), ("c", (Optional.Of(4), Optional<char>.None)), ("d", (Optional<int>.None, Optional.Of('w')))],
            Sorted(output[0]));
        Assert.Equal([("e", (Optional<int>.None, Optional.Of('v')))], output[1]);
    }

    [Fact]
    public void CoGroup_lists_each_keys_values_from_both_sides()
    {
        var output = StreamingTest.Run<(string, int), (string, int), string>(
            [[("a", 1), ("a", 2), ("b", 3)]],
            [[("a", 10), ("c", 30)]],
            (left, right) => left.CoGroup(right).Map(g => $"{g.Key}:[{string.Join(',', g.Value.Left)}][{string.Join(',', g.Value.Right)}]"),
            numBatches: 1);

        Assert.Equal(["a:[1,2][10]", "b:[3][]", "c:[][30]"], Sorted(output[0]));
    }

    [Fact]
    public void Joining_streams_of_different_contexts_is_rejected()
    {
        var other = new StreamingContext(TimeSpan.FromSeconds(1)).QueueStream<(string, int)>([]);
        StreamingTest.Run([[("a", 1)]], s =>
        {
            var error = Assert.Throws<ArgumentException>(() => s.Join(other));
            Assert.Contains("different StreamingContexts", error.Message);
            return s;
        }, numBatches: 1);
    }

    [Fact]
    public void A_null_key_fails_the_batch_naming_the_operator()
    {
        var error = Assert.Throws<StreamingOperatorException>(() =>
            StreamingTest.Run([[((string)null!, 1)]], s => s.ReduceByKey((a, b) => a + b), numBatches: 1));

        Assert.Equal("ReduceByKey", error.OperatorName);
    }
}
