using Pipelines.Testing;

namespace Pipelines.Tests.Parity;

/// <summary>Spark's numPartitions overloads of the window and state operators: checked, kept on the stream, same results.</summary>
public sealed class NumPartitionsTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan TwoSeconds = TimeSpan.FromSeconds(2);

    private static readonly IEnumerable<int>[] Input = [[1, 2, 1], [2, 3], [1], [], [3, 3]];

    [Fact]
    public void Window_and_state_overloads_keep_the_partition_count_on_their_stream()
    {
        var seen = new List<int?>();
        StreamingTest.Run(Input, s =>
        {
            var pairs = s.Map(x => (x, 1));
            seen.Add(pairs.ReduceByKeyAndWindow((a, b) => a + b, TwoSeconds, Second, numPartitions: 3).NumPartitions);
            seen.Add(pairs.ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, TwoSeconds, Second, numPartitions: 4).NumPartitions);
            seen.Add(pairs.GroupByKeyAndWindow(TwoSeconds, Second, numPartitions: 5).NumPartitions);
            seen.Add(s.CountByValueAndWindow(TwoSeconds, Second, numPartitions: 6).NumPartitions);
            seen.Add(pairs.UpdateStateByKey((IReadOnlyList<int> v, Optional<int> st) => Optional.Of(st.GetValueOrDefault(0) + v.Count), numPartitions: 7).NumPartitions);
            seen.Add(pairs.UpdateStateByKey((BatchTime _, int _, IReadOnlyList<int> v, Optional<int> st) => Optional.Of(v.Count), numPartitions: 8).NumPartitions);
            seen.Add(pairs.UpdateStateByKey(
                (IEnumerable<(int Key, IReadOnlyList<int> Values, Optional<int> State)> all) => all.Select(e => (e.Key, e.Values.Count)), numPartitions: 9).NumPartitions);
            seen.Add(pairs.MapWithState(StateSpec.Function((int k, Optional<int> v, State<int> st) => k).NumPartitions(10)).NumPartitions);
            seen.Add(pairs.ReduceByKeyAndWindow((a, b) => a + b, TwoSeconds, Second).NumPartitions);
            return s;
        }, numBatches: 1);

        Assert.Equal([3, 4, 5, 6, 7, 8, 9, 10, null], seen);
    }

    [Fact]
    public void The_overloads_give_the_same_results_as_without_a_partition_count()
    {
        static IReadOnlyList<IReadOnlyList<string>> Both(Func<DStream<int>, DStream<string>> without, Func<DStream<int>, DStream<string>> with)
        {
            var a = StreamingTest.Run(Input, without, numBatches: 6);
            var b = StreamingTest.Run(Input, with, numBatches: 6);
            Assert.Equal(a.Select(x => x.Order().ToArray()), b.Select(x => x.Order().ToArray()));
            return b;
        }

        var reduced = Both(
            s => s.Map(x => (x, 1)).ReduceByKeyAndWindow((a, b) => a + b, TwoSeconds, Second).Map(p => $"{p.Key}={p.Value}"),
            s => s.Map(x => (x, 1)).ReduceByKeyAndWindow((a, b) => a + b, TwoSeconds, Second, 2).Map(p => $"{p.Key}={p.Value}"));
        Assert.Equal(["1=2", "2=1"], reduced[0].Order());
        Assert.Equal(["1=2", "2=2", "3=1"], reduced[1].Order());

        Both(
            s => s.Map(x => (x, 1)).ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, TwoSeconds, Second, p => p.Value != 0).Map(p => $"{p.Key}={p.Value}"),
            s => s.Map(x => (x, 1)).ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, TwoSeconds, Second, 3, p => p.Value != 0).Map(p => $"{p.Key}={p.Value}"));
        Both(
            s => s.Map(x => (x, x)).GroupByKeyAndWindow(TwoSeconds, Second).Map(p => $"{p.Key}:{string.Join(",", p.Values)}"),
            s => s.Map(x => (x, x)).GroupByKeyAndWindow(TwoSeconds, Second, 2).Map(p => $"{p.Key}:{string.Join(",", p.Values)}"));
        var counted = Both(
            s => s.CountByValueAndWindow(TwoSeconds, Second).Map(p => $"{p.Value}x{p.Count}"),
            s => s.CountByValueAndWindow(TwoSeconds, Second, 4).Map(p => $"{p.Value}x{p.Count}"));
        Assert.Equal(["1x2", "2x2", "3x1"], counted[1].Order());
        var states = Both(
            s => s.Map(x => (x, 1)).UpdateStateByKey((IReadOnlyList<int> v, Optional<int> st) => Optional.Of(st.GetValueOrDefault(0) + v.Count)).Map(p => $"{p.Key}={p.State}"),
            s => s.Map(x => (x, 1)).UpdateStateByKey((IReadOnlyList<int> v, Optional<int> st) => Optional.Of(st.GetValueOrDefault(0) + v.Count), 3).Map(p => $"{p.Key}={p.State}"));
        Assert.Equal(["1=3", "2=2", "3=3"], states[4].Order());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void A_partition_count_that_is_not_positive_is_rejected_with_the_operator_named(int numPartitions)
    {
        StreamingTest.Run(Input, s =>
        {
            var pairs = s.Map(x => (x, 1));
            var errors = new List<ArgumentOutOfRangeException>
            {
                Assert.Throws<ArgumentOutOfRangeException>(() => pairs.ReduceByKeyAndWindow((a, b) => a + b, TwoSeconds, Second, numPartitions)),
                Assert.Throws<ArgumentOutOfRangeException>(() => pairs.ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, TwoSeconds, Second, numPartitions)),
                Assert.Throws<ArgumentOutOfRangeException>(() => pairs.GroupByKeyAndWindow(TwoSeconds, Second, numPartitions)),
                Assert.Throws<ArgumentOutOfRangeException>(() => s.CountByValueAndWindow(TwoSeconds, Second, numPartitions)),
                Assert.Throws<ArgumentOutOfRangeException>(() => pairs.UpdateStateByKey((IReadOnlyList<int> v, Optional<int> st) => st, numPartitions)),
                Assert.Throws<ArgumentOutOfRangeException>(() => pairs.UpdateStateByKey((BatchTime _, int _, IReadOnlyList<int> v, Optional<int> st) => st, numPartitions)),
                Assert.Throws<ArgumentOutOfRangeException>(() => StateSpec.Function((int k, Optional<int> v, State<int> st) => k).NumPartitions(numPartitions)),
            };
            Assert.All(errors, e => Assert.Equal("numPartitions", e.ParamName));
            Assert.All(errors, e => Assert.Contains("positive number of partitions", e.Message));
            Assert.Contains("ReduceByKeyAndWindow", errors[0].Message);
            Assert.Contains("CountByValueAndWindow", errors[3].Message);
            return s;
        }, numBatches: 1);
    }
}
