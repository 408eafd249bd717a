using Pipelines.Testing;
using static Pipelines.Tests.Windows.Multisets;

namespace Pipelines.Tests.State;

public sealed class UpdateStateByKeyTests
{
    // Spark's BasicOperationsSuite "updateStateByKey" input.
    private static readonly string[][] Words = [["a"], ["a", "b"], ["a", "b", "c"], ["a", "b"], ["a"], []];

    private static Optional<int> Sum(IReadOnlyList<int> values, Optional<int> state) => values.Sum() + state.GetValueOrDefault(0);

    [Fact]
    public void UpdateStateByKey_gives_every_keys_state_after_each_batch()
    {
        var output = StreamingTest.Run(Words, s => s.Map(w => (w, 1)).UpdateStateByKey<string, int, int>(Sum), numBatches: 6);

        Assert.Equal(
            [
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
    public void UpdateStateByKey_infers_its_types_from_an_explicitly_typed_lambda()
    {
        var output = StreamingTest.Run(
            Words,
            s => s.Map(w => (w, 1)).UpdateStateByKey((IReadOnlyList<int> values, Optional<long> total) => total.GetValueOrDefault(0) + values.Count),
            numBatches: 2);

        Assert.Equal([[("a", 1L)], [("a", 2L), ("b", 1L)]], SortedBatches(output));
    }

    [Fact]
    public void UpdateStateByKey_starts_from_the_initial_state()
    {
        var output = StreamingTest.Run(
            Words,
            s => s.Map(w => (w, 1)).UpdateStateByKey<string, int, int>(Sum, [("a", 1), ("c", 2)]),
            numBatches: 6);

        Assert.Equal(
            [
                [("a", 2), ("c", 2)],
                [("a", 3), ("b", 1), ("c", 2)],
                [("a", 4), ("b", 2), ("c", 3)],
                [("a", 5), ("b", 3), ("c", 3)],
                [("a", 6), ("b", 3), ("c", 3)],
                [("a", 6), ("b", 3), ("c", 3)],
            ],
            SortedBatches(output));
    }

    [Fact]
    public void UpdateStateByKey_calls_keys_without_new_values_and_removes_keys_whose_function_returns_none()
    {
        // Spark's "updateStateByKey - object lifecycle": a key is dropped after two batches without values.
        static Optional<(int Count, int Idle)> Update(IReadOnlyList<int> values, Optional<(int Count, int Idle)> state)
        {
            var (count, idle) = state.GetValueOrDefault((0, 0));
            var next = values.Count == 0 ? (count, idle + 1) : (count + values.Sum(), 0);
            return next.Item2 == 2 ? Optional<(int, int)>.None : next;
        }

        var output = StreamingTest.Run(
            Words,
            s => s.Map(w => (w, 1)).UpdateStateByKey<string, int, (int Count, int Idle)>(Update).MapValues(state => state.Count),
            numBatches: 6);

        Assert.Equal(
            [
                [("a", 1)],
                [("a", 2), ("b", 1)],
                [("a", 3), ("b", 2), ("c", 1)],
                [("a", 4), ("b", 3), ("c", 1)],
                [("a", 5), ("b", 3)],
                [("a", 5)],
            ],
            SortedBatches(output));
    }

    [Fact]
    public void UpdateStateByKey_passes_the_new_values_in_arrival_order_and_an_empty_list_to_idle_keys()
    {
        var calls = new List<string>();
        (string, int)[][] input = [[("k", 3), ("j", 9), ("k", 1)], [], [("k", 2)]];

        StreamingTest.Run(
            input,
            s => s.UpdateStateByKey((BatchTime time, string key, IReadOnlyList<int> values, Optional<int> state) =>
            {
                calls.Add($"{time.Milliseconds}:{key}:[{string.Join(",", values)}]:{state}");
                return key == "j" ? Optional<int>.None : values.Sum() + state.GetValueOrDefault(0);
            }),
            numBatches: 3);

        Assert.Equal(
            [
                "1000:j:[9]:None", "1000:k:[3,1]:None",
                "2000:k:[]:Some(4)",
                "3000:k:[2]:Some(4)",
            ],
            calls.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void UpdateStateByKey_with_time_and_key_starts_from_the_initial_state()
    {
        var output = StreamingTest.Run(
            [[("a", 1)]],
            s => s.UpdateStateByKey((BatchTime time, string key, IReadOnlyList<int> values, Optional<string> state) =>
                    $"{state.GetValueOrDefault(key)}+{values.Sum()}@{time.Milliseconds}", [("b", "init")]),
            numBatches: 2);

        Assert.Equal(
            [
                [("a", "a+1@1000"), ("b", "init+0@1000")],
                [("a", "a+1@1000+0@2000"), ("b", "init+0@1000+0@2000")],
            ],
            SortedBatches(output));
    }

    [Fact]
    public void UpdateStateByKey_accepts_a_partition_count_for_source_compatibility()
    {
        var output = StreamingTest.Run(Words, s => s.Map(w => (w, 1)).UpdateStateByKey<string, int, int>(Sum, numPartitions: 4), numBatches: 2);

        Assert.Equal([[("a", 1)], [("a", 2), ("b", 1)]], SortedBatches(output));
    }

    [Fact]
    public void UpdateStateByKey_with_empty_batches_only_and_no_initial_state_gives_empty_batches()
    {
        var output = StreamingTest.Run<(string, int), (string, int)>([[], []], s => s.UpdateStateByKey<string, int, int>(Sum), numBatches: 3);

        Assert.Equal([[], [], []], output);
    }

    [Fact]
    public void UpdateStateByKey_under_a_window_that_slides_further_than_it_spans_still_folds_every_batch()
    {
        (string, int)[][] input = [[("a", 1)], [("a", 10)], [("a", 100)], [("a", 1000)]];

        var output = StreamingTest.Run(input, s => s.UpdateStateByKey<string, int, int>(Sum).Window(Seconds(1), Seconds(2)), numBatches: 4);

        Assert.Equal([[("a", 11)], [("a", 1111)]], output);
    }

    [Fact]
    public void UpdateStateByKey_iterator_form_updates_all_keys_at_once_and_removes_keys_it_does_not_return()
    {
        var seen = new List<string>();
        var output = StreamingTest.Run(
            Words,
            s => s.Map(w => (w, 1)).UpdateStateByKey((IEnumerable<(string Key, IReadOnlyList<int> Values, Optional<int> State)> all) =>
            {
                var rows = all.ToArray();
                seen.Add(string.Join(" ", rows.Select(r => $"{r.Key}:{r.Values.Count}:{r.State}").Order(StringComparer.Ordinal)));

                // Keep a key while it gets values; drop it in the first batch without any.
                return rows.Where(r => r.Values.Count > 0).Select(r => (r.Key, r.State.GetValueOrDefault(0) + r.Values.Count));
            }, [("z", 7)]),
            numBatches: 6);

        Assert.Equal(
            [
                [("a", 1)],
                [("a", 2), ("b", 1)],
                [("a", 3), ("b", 2), ("c", 1)],
                [("a", 4), ("b", 3)],
                [("a", 5)],
                [],
            ],
            SortedBatches(output));
        Assert.Equal("a:1:None z:0:Some(7)", seen[0]);
        Assert.Equal("a:1:Some(3) b:1:Some(2) c:0:Some(1)", seen[3]);
    }

    [Fact]
    public void UpdateStateByKey_iterator_form_that_returns_a_key_twice_fails_the_batch()
    {
        using var run = StreamingTest.Start(
            Words,
            s => s.Map(w => (w, 1)).UpdateStateByKey((IEnumerable<(string Key, IReadOnlyList<int> Values, Optional<int> State)> all) =>
                all.SelectMany(r => new[] { (r.Key, 1), (r.Key, 2) })));

        var error = Assert.IsType<StreamingOperatorException>(run.Step().Failure);

        Assert.Contains("'a' more than once", error.Message, StringComparison.Ordinal);
    }
}
