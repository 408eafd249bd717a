using Pipelines.Testing;

namespace Pipelines.Tests.Parity;

/// <summary>
/// "No batch" is not "empty batch": Spark's input streams can return no RDD for a time (its TestInputStream's
/// <c>null</c> batch). These are Spark's BasicOperationsSuite vectors for that case, through <see cref="StreamingTest"/>.
/// </summary>
public sealed class NoBatchTests
{
    private static readonly int[] OneToFour = [1, 2, 3, 4];

    private static int[] Range(int from, int to) => Enumerable.Range(from, to - from + 1).ToArray();

    [Fact]
    public void A_null_input_batch_gives_no_batch_through_narrow_operators_and_outputs_skip_the_time()
    {
        using var run = StreamingTest.Start<int, int>([[1, 2], null, [3]], s => s.Map(x => x * 10).Filter(x => x > 0));

        var first = run.Step();
        var second = run.Step();
        var third = run.Step();
        var fourth = run.Step();

        Assert.Equal([10, 20], first.Records);
        Assert.False(second.Produced);
        Assert.Null(second.Failure);
        Assert.Equal([30], third.Records);
        Assert.True(fourth.Produced); // after the input ends, batches are empty, not missing
        Assert.Empty(fourth.Records);
    }

    [Fact]
    public void Union_fails_the_time_an_input_has_no_batch_as_Spark_does()
    {
        // Spark: test("union with input stream return None") intercepts a SparkException.
        using var run = StreamingTest.Start<int, int>([OneToFour, Range(101, 104), Range(201, 204), null], s => s.Union(s.Map(x => x + 4)));

        Assert.Equal(Range(1, 8), run.Step().Records);
        Assert.Equal(Range(101, 108), run.Step().Records);
        Assert.Equal(Range(201, 208), run.Step().Records);
        var failed = run.Step();

        var error = Assert.IsType<StreamingOperatorException>(failed.Failure);
        Assert.Equal("Union", error.OperatorName);
        Assert.Equal(new BatchTime(4000), error.BatchTime);
        Assert.Contains("no batch", error.Message);
        Assert.Contains("Spark", error.Message);
    }

    [Fact]
    public void StreamingContext_Union_fails_the_time_an_input_has_no_batch()
    {
        var error = Assert.Throws<StreamingOperatorException>(() => StreamingTest.Run<int, int>(
            [OneToFour, null], s => s.Context.Union(s, s.Map(x => x + 4), s.Map(x => x + 8)), numBatches: 2));

        Assert.Equal(new BatchTime(2000), error.BatchTime);
    }

    [Fact]
    public void Transform_fails_the_time_its_input_has_no_batch_as_Spark_does()
    {
        // Spark: test("transform with input stream return None").
        using var run = StreamingTest.Start<int, string>([OneToFour, Range(5, 8), null], s => s.Transform(batch => batch.Select(x => x.ToString())));

        Assert.Equal(["1", "2", "3", "4"], run.Step().Records);
        Assert.Equal(["5", "6", "7", "8"], run.Step().Records);
        var error = Assert.IsType<StreamingOperatorException>(run.Step().Failure);
        Assert.Equal("Transform", error.OperatorName);
        Assert.Equal(new BatchTime(3000), error.BatchTime);
    }

    [Fact]
    public void TransformWith_fails_the_time_its_inputs_have_no_batch_as_Spark_does()
    {
        // Spark: test("transformWith with input stream return None"): the expected output of the first three batches,
        // then a SparkException.
        using var run = StreamingTest.Start<string, string, string>(
            [["a", "b"], ["a", ""], [""], null],
            [["a", "b"], ["b", ""], [], null],
            (s1, s2) => s1.TransformWith(s2, (l, r) => l.Concat(r)));

        // Spark compares these as sets (useSet = true).
        Assert.Equal(["a", "a", "b", "b"], run.Step().Records.Order());
        Assert.Equal(["", "", "a", "b"], run.Step().Records.Order());
        Assert.Equal([""], run.Step().Records);
        var error = Assert.IsType<StreamingOperatorException>(run.Step().Failure);
        Assert.Equal("TransformWith", error.OperatorName);
        Assert.Equal(new BatchTime(4000), error.BatchTime);
    }

    [Fact]
    public void TransformWith_fails_when_only_one_input_has_no_batch()
    {
        var error = Assert.Throws<StreamingOperatorException>(() => StreamingTest.Run<string, string, string>(
            [["a"]], [null], (s1, s2) => s1.TransformWith(s2, (l, r) => l.Concat(r)), numBatches: 1));

        Assert.Equal(new BatchTime(1000), error.BatchTime);
    }

    [Fact]
    public void StreamingContext_Transform_over_three_streams_unions_their_batches()
    {
        // Spark: test("StreamingContext.transform").
        var output = StreamingTest.Run(
            [OneToFour, Range(101, 104), Range(201, 204)],
            s => s.Context.Transform([s, s.Map(x => x + 4), s.Map(x => x + 8)], (batches, _) => batches.SelectMany(b => b)),
            numBatches: 3);

        Assert.Equal([Range(1, 12), Range(101, 112), Range(201, 212)], output);
    }

    [Fact]
    public void StreamingContext_Transform_fails_the_time_an_input_has_no_batch()
    {
        // Spark: test("StreamingContext.transform with input stream return None").
        using var run = StreamingTest.Start<int, int>(
            [OneToFour, Range(101, 104), Range(201, 204), null],
            s => s.Context.Transform([s, s.Map(x => x + 4), s.Map(x => x + 8)], (batches, _) => batches.SelectMany(b => b)));

        Assert.Equal(Range(1, 12), run.Step().Records);
        Assert.Equal(Range(101, 112), run.Step().Records);
        Assert.Equal(Range(201, 212), run.Step().Records);
        var error = Assert.IsType<StreamingOperatorException>(run.Step().Failure);
        Assert.Equal("Transform", error.OperatorName);
        Assert.Equal(new BatchTime(4000), error.BatchTime);
    }

    [Fact]
    public void StreamingContext_Transform_reads_streams_of_different_types_with_their_time()
    {
        var output = StreamingTest.Run<int, string, string>(
            [[1, 2, 3], [4]],
            [["x"], ["y", "z"]],
            (numbers, words) => numbers.Context.Transform(
                [numbers, words],
                (batches, time) => new[] { $"{((Batch<int>)batches[0]).Sum()}/{string.Concat((Batch<string>)batches[1])}@{time.Milliseconds}" }),
            numBatches: 2);

        Assert.Equal([["6/x@1000"], ["4/yz@2000"]], output);
    }

    [Fact]
    public async Task StreamingContext_Transform_checks_its_streams()
    {
        await using var context = new StreamingContext(TimeSpan.FromSeconds(1));
        await using var other = new StreamingContext(TimeSpan.FromSeconds(1));
        var a = context.QueueStream<int>([[1]]);
        var b = other.QueueStream<int>([[1]]);

        Assert.Throws<ArgumentException>(() => context.Transform(Array.Empty<DStream<int>>(), (batches, _) => batches.SelectMany(x => x)));
        Assert.Throws<ArgumentException>(() => context.Transform([a, b], (batches, _) => batches.SelectMany(x => x)));
        Assert.Throws<ArgumentException>(() => context.Transform([a, a.Window(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2))], (batches, _) => batches.SelectMany(x => x)));
        Assert.Throws<ArgumentNullException>(() => context.Transform<int, int>([a], null!));
    }

    [Fact]
    public void UpdateStateByKey_object_lifecycle_matches_Spark_with_missing_batches()
    {
        // Spark: test("updateStateByKey - object lifecycle"): a state is dropped when seen twice in a row with no new
        // values; a null batch updates every key with no values.
        var output = StreamingTest.Run<string, (string, int)>(
            [["a", "b"], null, ["a", "c", "a"], ["c"], null, null],
            s => s.Map(x => (x, 1))
                  .UpdateStateByKey((IReadOnlyList<int> values, Optional<(int Counter, int Expire)> state) =>
                  {
                      var (counter, expire) = state.GetValueOrDefault((0, 0));
                      var sum = values.Sum();
                      (counter, expire) = sum == 0 ? (counter, expire + 1) : (counter + sum, 0);
                      return expire == 2 ? Optional<(int, int)>.None : Optional.Of((counter, expire));
                  })
                  .MapValues(state => state.Counter),
            numBatches: 6);

        Assert.Equal(6, output.Count);
        Assert.Equal([("a", 1), ("b", 1)], output[0].Order());
        Assert.Equal([("a", 1), ("b", 1)], output[1].Order());
        Assert.Equal([("a", 3), ("c", 1)], output[2].Order());
        Assert.Equal([("a", 3), ("c", 2)], output[3].Order());
        Assert.Equal([("c", 2)], output[4].Order());
        Assert.Empty(output[5]);
    }

    [Fact]
    public void UpdateStateByKey_has_no_batch_while_it_has_no_state_and_no_input_batch()
    {
        // Spark's StateDStream: no previous state RDD and no parent RDD gives None, even with an initial RDD.
        var calls = 0;
        using var run = StreamingTest.Start<string, (string, int)>(
            [null, ["a"], null],
            s => s.Map(x => (x, 1)).UpdateStateByKey(
                (IReadOnlyList<int> values, Optional<int> state) =>
                {
                    calls++;
                    return Optional.Of(state.GetValueOrDefault(0) + values.Sum());
                },
                initialState: [("z", 5)]));

        var first = run.Step();
        Assert.False(first.Produced);
        Assert.Equal(0, calls);
        Assert.Equal([("a", 1), ("z", 5)], run.Step().Records.Order());
        Assert.Equal([("a", 1), ("z", 5)], run.Step().Records.Order()); // state exists: the missing batch reads as empty
        Assert.Equal(4, calls);
    }

    [Fact]
    public void UpdateStateByKey_iterator_form_has_no_batch_while_it_has_no_state()
    {
        using var run = StreamingTest.Start<string, (string, int)>(
            [null, ["a"], null],
            s => s.Map(x => (x, 1)).UpdateStateByKey(
                (IEnumerable<(string Key, IReadOnlyList<int> Values, Optional<int> State)> all) =>
                    all.Select(e => (e.Key, e.State.GetValueOrDefault(0) + e.Values.Count + 1))));

        Assert.False(run.Step().Produced);
        Assert.Equal([("a", 2)], run.Step().Records);
        Assert.Equal([("a", 3)], run.Step().Records);
    }

    [Fact]
    public void MapWithState_reads_a_missing_batch_as_empty_as_Spark_does()
    {
        using var run = StreamingTest.Start<string, int>(
            [null, ["a"], null],
            s => s.Map(x => (x, 1)).MapWithState(StateSpec.Function((string key, Optional<int> one, State<int> state) =>
            {
                var sum = state.GetOption().GetValueOrDefault(0) + one.GetValueOrDefault(0);
                state.Update(sum);
                return sum;
            })));

        var first = run.Step();
        Assert.True(first.Produced);
        Assert.Empty(first.Records);
        Assert.Equal([1], run.Step().Records);
        Assert.Empty(run.Step().Records);
    }
}
