using Pipelines.Stateful;
using Pipelines.Testing;
using static Pipelines.Tests.Windows.Multisets;

namespace Pipelines.Tests.State;

public sealed class StateFailureTests
{
    private static readonly (string, int)[][] InputWithPoison = [[("a", 1)], [("a", 1), ("b", 1)], [("a", 1), ("b", 13)], [("a", 1)], []];

    private static Optional<int> SumUnlessThirteen(IReadOnlyList<int> values, Optional<int> state) =>
        values.Contains(13) ? throw new InvalidOperationException("13 is not allowed") : values.Sum() + state.GetValueOrDefault(0);

    [Fact]
    public void A_throwing_update_fails_that_batch_and_the_next_batch_proceeds_from_the_last_successful_state()
    {
        IKeyedStateStream<string, int>? state = null;
        using var run = StreamingTest.Start(InputWithPoison, s =>
        {
            var updated = s.UpdateStateByKey<string, int, int>(SumUnlessThirteen);
            state = (IKeyedStateStream<string, int>)updated;
            return updated;
        });

        Assert.Equal([("a", 1)], Sorted(run.Step().Records));
        Assert.Equal([("a", 2), ("b", 1)], Sorted(run.Step().Records));
        var before = state!.ExportState();

        var failed = run.Step();
        var error = Assert.IsType<StreamingOperatorException>(failed.Failure);
        Assert.Equal("UpdateStateByKey", error.OperatorName);
        Assert.Equal(new BatchTime(3000), error.BatchTime);
        Assert.Equal("13 is not allowed", error.InnerException!.Message);
        AssertSameState(before, state.ExportState());

        // Batch 3's values (including a's) are dropped; batch 4 continues from the state of batch 2.
        Assert.Equal([("a", 3), ("b", 1)], Sorted(run.Step().Records));
        Assert.Equal([("a", 3), ("b", 1)], Sorted(run.Step().Records));
    }

    [Fact]
    public void A_throwing_mapping_function_leaves_every_keys_state_as_before_the_batch()
    {
        var spec = StateSpec.Function((string key, Optional<int> value, State<int> state) =>
        {
            var sum = state.GetOption().GetValueOrDefault(0) + (value.Value == 13 ? throw new InvalidOperationException("13") : value.Value);
            state.Update(sum);
            return sum;
        });
        using var run = StreamingTest.Start(InputWithPoison, s => s.MapWithState(spec).StateSnapshots());

        Assert.Equal([("a", 1)], Sorted(run.Step().Records));
        Assert.Equal([("a", 2), ("b", 1)], Sorted(run.Step().Records));
        var error = Assert.IsType<StreamingOperatorException>(run.Step().Failure);
        Assert.Equal("MapWithState", error.OperatorName);

        // a was updated before b threw in batch 3: that update is not kept.
        Assert.Equal([("a", 3), ("b", 1)], Sorted(run.Step().Records));
    }

    [Fact]
    public void A_timing_out_call_that_throws_keeps_the_key_and_its_state()
    {
        var fail = true;
        var spec = StateSpec.Function((BatchTime time, string key, Optional<int> value, State<int> state) =>
        {
            if (value.HasValue)
            {
                state.Update(value.Value);
                return Optional<string>.None;
            }

            return fail ? throw new InvalidOperationException("flaky") : $"{key}@{time.Milliseconds}";
        }).Timeout(Seconds(1));
        using var run = StreamingTest.Start<(string, int), string>([[("a", 1)], [], [], []], s => s.MapWithState(spec));

        Assert.Null(run.Step().Failure);
        Assert.Null(run.Step().Failure);
        Assert.NotNull(run.Step().Failure);
        fail = false;
        Assert.Equal(["a@4000"], run.Step().Records);
    }

    [Fact]
    public void A_failed_parent_batch_fails_the_state_batch_and_the_state_goes_on_without_it()
    {
        using var run = StreamingTest.Start(
            InputWithPoison,
            s => s.Map(p => p.Item2 == 13 ? throw new InvalidOperationException("parent") : p).UpdateStateByKey<string, int, int>(SumUnlessThirteen));

        run.Step();
        run.Step();
        var error = Assert.IsType<StreamingOperatorException>(run.Step().Failure);
        Assert.Equal("Map", error.OperatorName);
        Assert.Equal([("a", 3), ("b", 1)], Sorted(run.Step().Records));
    }

    [Fact]
    public void A_second_output_asking_for_the_failed_batch_gets_the_same_error_without_running_the_function_again()
    {
        var calls = 0;
        var outputs = new OutputFailures();
        using var run = StreamingTest.Start(
            InputWithPoison,
            s =>
            {
                var updated = s.UpdateStateByKey((IReadOnlyList<int> values, Optional<int> state) =>
                {
                    Interlocked.Increment(ref calls);
                    return SumUnlessThirteen(values, state);
                });
                updated.ForEachBatch((_, _) => { });
                return updated;
            },
            options: new StreamingOptions { Listeners = [outputs] });

        run.Step();
        run.Step();
        var before = calls;
        var failed = run.Step();

        Assert.IsType<StreamingOperatorException>(failed.Failure);
        Assert.InRange(calls - before, 1, 2);
        var errors = outputs.Failures.Where(f => f.BatchTime == new BatchTime(3000)).Select(f => f.Failure).ToArray();
        Assert.Equal(2, errors.Length);
        Assert.All(errors, e => Assert.Equal("13 is not allowed", Assert.IsType<StreamingOperatorException>(e).InnerException!.Message));

        var afterFailure = calls;
        Assert.Equal([("a", 3), ("b", 1)], Sorted(run.Step().Records));
        Assert.Equal(2, calls - afterFailure);
    }

    private sealed class OutputFailures : IStreamingListener
    {
        public List<OutputOperationInfo> Failures { get; } = [];

        public void OnOutputOperationCompleted(OutputOperationInfo output)
        {
            if (output.Failure is not null)
            {
                lock (Failures)
                {
                    Failures.Add(output);
                }
            }
        }
    }

    private static void AssertSameState(KeyedStateSnapshot<string, int> expected, KeyedStateSnapshot<string, int> actual)
    {
        Assert.Equal(expected.Time, actual.Time);
        Assert.Equal(expected.Entries.OrderBy(e => e.Key, StringComparer.Ordinal), actual.Entries.OrderBy(e => e.Key, StringComparer.Ordinal));
    }
}
