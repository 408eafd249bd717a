using Pipelines.Testing;
using static Pipelines.Tests.Windows.Multisets;

namespace Pipelines.Tests.State;

public sealed class MapWithStateTests
{
    // Spark's MapWithStateSuite "basic operations with simple API".
    private static readonly string[][] Words = [[], ["a"], ["a", "b"], ["a", "b", "c"], ["a", "b"], ["a"], []];

    private static int RunningCount(string key, Optional<int> value, State<int> state)
    {
        var sum = value.GetValueOrDefault(0) + state.GetOption().GetValueOrDefault(0);
        state.Update(sum);
        return sum;
    }

    [Fact]
    public void MapWithState_emits_what_the_function_returns_for_each_record()
    {
        var output = StreamingTest.Run(
            Words,
            s => s.Map(w => (w, 1)).MapWithState(StateSpec.Function<string, int, int, int>(RunningCount)),
            numBatches: 7);

        Assert.Equal([[], [1], [1, 2], [1, 2, 3], [3, 4], [5], []], SortedBatches(output));
    }

    [Fact]
    public void StateSnapshots_give_the_full_state_after_each_batch()
    {
        var output = StreamingTest.Run(
            Words,
            s => s.Map(w => (w, 1)).MapWithState(StateSpec.Function<string, int, int, int>(RunningCount)).StateSnapshots(),
            numBatches: 7);

        Assert.Equal(
            [
                [],
                [("a", 1)],
                [("a", 2), ("b", 1)],
                [("a", 3), ("b", 2), ("c", 1)],
                [("a", 4), ("b", 3), ("c", 1)],
                [("a", 5), ("b", 3), ("c", 1)],
                [("a", 5), ("b", 3), ("c", 1)],
            ],
            SortedBatches(output));
    }

    [Fact]
    public void MapWithState_calls_the_function_per_record_in_order_with_the_state_the_previous_record_left()
    {
        var output = StreamingTest.Run(
            [[("k", "x"), ("k", "y"), ("j", "z"), ("k", "w")]],
            s => s.MapWithState(StateSpec.Function((string key, Optional<string> value, State<string> state) =>
            {
                var next = state.GetOption().GetValueOrDefault(string.Empty) + value.Value;
                state.Update(next);
                return $"{key}={next}";
            })),
            numBatches: 1);

        Assert.Equal(["k=x", "k=xy", "j=z", "k=xyw"], output[0]);
    }

    [Fact]
    public void MapWithState_removes_a_key_whose_function_calls_Remove()
    {
        // The count restarts after reaching 2.
        var spec = StateSpec.Function((string key, Optional<int> value, State<int> state) =>
        {
            var count = state.Exists ? state.Get() + 1 : 1;
            if (count == 2)
            {
                state.Remove();
            }
            else
            {
                state.Update(count);
            }

            return (key, count);
        });
        MapWithStateDStream<string, int, int, (string, int)>? mapped = null;

        var snapshots = StreamingTest.Run(
            [[("a", 0)], [("a", 0)], [("a", 0)], []],
            s =>
            {
                mapped = s.MapWithState(spec);
                return mapped.StateSnapshots();
            },
            numBatches: 4);

        Assert.Equal([[("a", 1)], [], [("a", 1)], [("a", 1)]], snapshots);
        Assert.Equal(1, mapped!.Core.KeyCount);
    }

    [Fact]
    public void MapWithState_with_time_emits_only_what_the_function_returns_some_for()
    {
        var output = StreamingTest.Run(
            [[("a", 1), ("b", 2)], [("a", 3)]],
            s => s.MapWithState(StateSpec.Function((BatchTime time, string key, Optional<int> value, State<int> state) =>
                key == "a" ? Optional.Of($"{key}{value.Value}@{time.Milliseconds}") : Optional<string>.None)),
            numBatches: 2);

        Assert.Equal([["a1@1000"], ["a3@2000"]], output);
    }

    [Fact]
    public void Idle_keys_time_out_with_one_last_call_then_are_removed()
    {
        // Spark's MapWithStateSuite "timeouts": timeout 3 s; a key last seen at u times out at the first t with u < t - 3 s.
        string[][] input = [["a", "b", "c"], ["a", "b"], ["a"], [], [], [], []];
        var spec = StateSpec.Function((BatchTime time, string key, Optional<int> value, State<int> state) =>
        {
            if (value.HasValue)
            {
                state.Update(1);
            }

            return state.IsTimingOut ? Optional.Of(key) : Optional<string>.None;
        }).Timeout(Seconds(3));
        MapWithStateDStream<string, int, int, string>? mapped = null;
        var snapshots = new List<string[]>();

        var output = StreamingTest.Run(
            input,
            s =>
            {
                mapped = s.Map(w => (w, 1)).MapWithState(spec);
                mapped.StateSnapshots().ForEachBatch((batch, _) => snapshots.Add(batch.Select(p => p.Key).Order(StringComparer.Ordinal).ToArray()));
                return mapped;
            },
            numBatches: 7);

        Assert.Equal([[], [], [], [], ["c"], ["b"], ["a"]], output);
        Assert.Equal([["a", "b", "c"], ["a", "b", "c"], ["a", "b", "c"], ["a", "b", "c"], ["a", "b"], ["a"], []], snapshots);
    }

    [Fact]
    public void With_a_timeout_a_record_refreshes_the_key_even_when_the_state_is_unchanged()
    {
        var spec = StateSpec.Function((BatchTime time, string key, Optional<int> value, State<int> state) =>
        {
            if (!state.Exists)
            {
                state.Update(value.Value);
            }

            return state.IsTimingOut ? Optional.Of(time.Milliseconds) : Optional<long>.None;
        }).Timeout(Seconds(2));

        using var run = StreamingTest.Start<(string, int), long>([[("a", 1)], [("a", 2)], [], [], []], s => s.MapWithState(spec));
        var timedOutAt = Enumerable.Range(0, 6).SelectMany(_ => run.Step().Records).ToArray();

        // Seen at 2000 ms (not updated), so idle from there: 2000 < 5000 - 2000.
        Assert.Equal([5000L], timedOutAt);
    }

    [Fact]
    public void The_timing_out_call_can_read_the_state_but_not_change_it()
    {
        var spec = StateSpec.Function((BatchTime time, string key, Optional<int> value, State<int> state) =>
        {
            if (value.HasValue)
            {
                state.Update(value.Value * 10);
                return Optional<string>.None;
            }

            var update = Record(() => state.Update(1));
            var remove = Record(() => state.Remove());
            return $"{key}:{state.Get()}:{state.IsTimingOut}:{update}:{remove}";
        }).Timeout(Seconds(1));

        var output = StreamingTest.Run([[("a", 4)], [], []], s => s.MapWithState(spec), numBatches: 3);

        Assert.Equal([[], [], ["a:40:True:InvalidOperationException:InvalidOperationException"]], output);

        static string Record(Action action)
        {
            try
            {
                action();
                return "ok";
            }
            catch (Exception error)
            {
                return error.GetType().Name;
            }
        }
    }

    [Fact]
    public void The_initial_state_is_the_state_before_the_first_batch_and_times_out_from_it()
    {
        var spec = StateSpec.Function((BatchTime time, string key, Optional<int> value, State<int> state) =>
        {
            if (value.HasValue)
            {
                state.Update(state.GetOption().GetValueOrDefault(0) + value.Value);
                return Optional<string>.None;
            }

            return $"{key} timed out at {time.Milliseconds} with {state.Get()}";
        }).InitialState([("a", 10), ("b", 20)]).Timeout(Seconds(2));
        var snapshots = new List<(string, int)[]>();

        var output = StreamingTest.Run(
            [[("b", 1)], [("b", 1)], [("b", 1)], [("b", 1)]],
            s =>
            {
                var mapped = s.MapWithState(spec);
                mapped.StateSnapshots().ForEachBatch((batch, _) => snapshots.Add(Sorted(batch)));
                return mapped;
            },
            numBatches: 4);

        Assert.Equal([[], [], [], ["a timed out at 4000 with 10"]], output);
        Assert.Equal([("a", 10), ("b", 21)], snapshots[0]);
        Assert.Equal([("b", 24)], snapshots[3]);
    }

    [Fact]
    public void NumPartitions_is_accepted_for_source_compatibility()
    {
        var output = StreamingTest.Run(
            Words,
            s => s.Map(w => (w, 1)).MapWithState(StateSpec.Function<string, int, int, int>(RunningCount).NumPartitions(8)),
            numBatches: 3);

        Assert.Equal([[], [1], [1, 2]], SortedBatches(output));
    }

    [Fact]
    public void State_reports_what_a_call_did()
    {
        var state = new State<int>();
        state.Wrap(Optional<int>.None);
        Assert.False(state.Exists);
        Assert.Equal(Optional<int>.None, state.GetOption());
        Assert.Throws<InvalidOperationException>(() => state.Get());

        state.Update(5);
        Assert.True(state.Exists);
        Assert.Equal(5, state.Get());

        state.Remove();
        Assert.False(state.Exists);
        Assert.Throws<InvalidOperationException>(() => state.Update(6));
        Assert.Throws<InvalidOperationException>(() => state.Remove());

        state.Wrap(7);
        Assert.True(state.Exists);
        Assert.False(state.IsTimingOut);
        state.Remove();

        state.WrapTimingOut(8);
        Assert.True(state.IsTimingOut);
        Assert.Equal(8, state.Get());
        Assert.Contains("timing out", state.ToString(), StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => state.Update(9));
        Assert.Throws<InvalidOperationException>(() => state.Remove());
    }
}
