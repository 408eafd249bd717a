using Pipelines.Testing;
using Pipelines.Windows;
using static Pipelines.Tests.Windows.Multisets;

namespace Pipelines.Tests.Windows;

public sealed class ReduceByKeyAndWindowTests
{
    // Spark's WindowOperationsSuite data: window 2 s, slide 1 s.
    private static readonly (string, int)[][] BigInput =
    [
        [("a", 1)],
        [("a", 1), ("b", 1)],
        [("a", 1), ("b", 1), ("c", 1)],
        [("a", 1), ("b", 1)],
        [("a", 1)],
        [],
        [("a", 1)],
        [("a", 1), ("b", 1)],
        [("a", 1), ("b", 1), ("c", 1)],
        [("a", 1), ("b", 1)],
        [("a", 1)],
        [],
    ];

    private static readonly (string, int)[][] BigReduceOutput =
    [
        [("a", 1)],
        [("a", 2), ("b", 1)],
        [("a", 2), ("b", 2), ("c", 1)],
        [("a", 2), ("b", 2), ("c", 1)],
        [("a", 2), ("b", 1)],
        [("a", 1)],
        [("a", 1)],
        [("a", 2), ("b", 1)],
        [("a", 2), ("b", 2), ("c", 1)],
        [("a", 2), ("b", 2), ("c", 1)],
        [("a", 2), ("b", 1)],
        [("a", 1)],
    ];

    // Without a filter, keys whose count returned to 0 stay (Spark's bigReduceInvOutput).
    private static readonly (string, int)[][] BigReduceInvOutput =
    [
        [("a", 1)],
        [("a", 2), ("b", 1)],
        [("a", 2), ("b", 2), ("c", 1)],
        [("a", 2), ("b", 2), ("c", 1)],
        [("a", 2), ("b", 1), ("c", 0)],
        [("a", 1), ("b", 0), ("c", 0)],
        [("a", 1), ("b", 0), ("c", 0)],
        [("a", 2), ("b", 1), ("c", 0)],
        [("a", 2), ("b", 2), ("c", 1)],
        [("a", 2), ("b", 2), ("c", 1)],
        [("a", 2), ("b", 1), ("c", 0)],
        [("a", 1), ("b", 0), ("c", 0)],
    ];

    private static readonly (string, int)[][] LargerSlideInput =
    [
        [("a", 1)], [("a", 2)], [("a", 3)], [("a", 4)], [("a", 5)], [("a", 6)], [], [],
    ];

    [Fact]
    public void ReduceByKeyAndWindow_recomputes_each_window()
    {
        var output = StreamingTest.Run(BigInput, s => s.ReduceByKeyAndWindow((a, b) => a + b, Seconds(2), Seconds(1)), numBatches: 12);

        Assert.Equal(BigReduceOutput, SortedBatches(output));
    }

    [Fact]
    public void ReduceByKeyAndWindow_without_a_slide_uses_the_parent_slide()
    {
        var output = StreamingTest.Run(BigInput, s => s.ReduceByKeyAndWindow((a, b) => a + b, Seconds(2)), numBatches: 12);

        Assert.Equal(BigReduceOutput, SortedBatches(output));
    }

    [Fact]
    public void ReduceByKeyAndWindow_with_inverse_and_no_filter_keeps_keys_that_went_back_to_zero()
    {
        var output = StreamingTest.Run(BigInput, s => s.ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, Seconds(2), Seconds(1)), numBatches: 12);

        Assert.Equal(BigReduceInvOutput, SortedBatches(output));
    }

    [Fact]
    public void ReduceByKeyAndWindow_with_inverse_drops_keys_the_filter_rejects()
    {
        var output = StreamingTest.Run(
            BigInput,
            s => s.ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, Seconds(2), filter: p => p.Value != 0),
            numBatches: 12);

        Assert.Equal(BigReduceOutput, SortedBatches(output));
    }

    [Fact]
    public void ReduceByKeyAndWindow_with_a_slide_longer_than_the_batch_interval()
    {
        (string, int)[][] expected = [[("a", 3)], [("a", 10)], [("a", 18)], [("a", 11)]];

        var recomputed = StreamingTest.Run(LargerSlideInput, s => s.ReduceByKeyAndWindow((a, b) => a + b, Seconds(4), Seconds(2)), numBatches: 8);
        var incremental = StreamingTest.Run(LargerSlideInput, s => s.ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, Seconds(4), Seconds(2)), numBatches: 8);

        Assert.Equal(expected, SortedBatches(recomputed));
        Assert.Equal(expected, SortedBatches(incremental));
    }

    [Fact]
    public void ReduceByKeyAndWindow_tumbling_with_empty_batches_inside_and_after_the_input()
    {
        (string, int)[][] input = [[("a", 1)], [], [("a", 2), ("b", 5)], [], []];

        var recomputed = StreamingTest.Run(input, s => s.ReduceByKeyAndWindow((a, b) => a + b, Seconds(2), Seconds(2)), numBatches: 8);
        var incremental = StreamingTest.Run(input, s => s.ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, Seconds(2), Seconds(2), p => p.Value != 0), numBatches: 8);

        (string, int)[][] expected = [[("a", 1)], [("a", 2), ("b", 5)], [], []];
        Assert.Equal(expected, SortedBatches(recomputed));
        Assert.Equal(expected, SortedBatches(incremental));
    }

    [Fact]
    public void ReduceByKeyAndWindow_with_inverse_subtracts_the_leaving_values_and_adds_the_entering_ones_in_time_order()
    {
        // Concatenation makes the order visible; the inverse strips a prefix and fails on anything else.
        (string, string)[][] input = [[("k", "a")], [("k", "b"), ("k", "c")], [("k", "d")], []];

        var output = StreamingTest.Run(
            input,
            s => s.ReduceByKeyAndWindow(
                (x, y) => x + y,
                (x, y) => x.StartsWith(y, StringComparison.Ordinal) ? x[y.Length..] : throw new InvalidOperationException($"{y} is not a prefix of {x}"),
                Seconds(2)),
            numBatches: 5);

        Assert.Equal([[("k", "a")], [("k", "abc")], [("k", "bcd")], [("k", "d")], [("k", "")]], output);
    }

    [Fact]
    public void ReduceByKeyAndWindow_with_inverse_keeps_only_the_batches_of_its_window()
    {
        var input = Enumerable.Range(0, 30).Select(i => new[] { ($"k{i % 7}", 1), ($"once{i}", 1) }).ToArray();
        ReducedWindowedDStream<(string Key, int Value), string, int>? window = null;
        using var run = StreamingTest.Start(input, s =>
        {
            var reduced = s.ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, Seconds(3), Seconds(1), p => p.Value != 0);
            window = (ReducedWindowedDStream<(string Key, int Value), string, int>)reduced;
            return reduced;
        });

        for (var i = 0; i < 30; i++)
        {
            var batch = run.Step();
            Assert.Null(batch.Failure);
            Assert.True(window!.KeptBatchCount <= 3);
        }

        // The one-off keys of batches that left are gone from the kept result, not only from the output.
        var snapshot = window!.ExportWindow();
        Assert.Equal(3, snapshot.KeptBatches.Count);
        Assert.Equal(3 + 3, snapshot.Result.Count);
    }

    [Fact]
    public void ReduceByKeyAndWindow_with_inverse_forgets_the_keys_of_batches_that_left_and_reuses_their_table_slots()
    {
        // Every batch brings two one-off keys; with a filter dropping zero counts they leave the window's table
        // once their batch leaves, so the table holds at most the keys of the 3 batches in the window.
        var input = Enumerable.Range(0, 40).Select(i => new[] { ("steady", 1), ($"a{i}", 1), ($"b{i}", 2) }).ToArray();
        ReducedWindowedDStream<(string Key, int Value), string, int>? window = null;
        using var run = StreamingTest.Start(input, s =>
        {
            var reduced = s.ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, Seconds(3), Seconds(1), p => p.Value != 0);
            window = (ReducedWindowedDStream<(string Key, int Value), string, int>)reduced;
            return reduced;
        });

        for (var i = 0; i < 40; i++)
        {
            var batch = run.Step();
            Assert.Null(batch.Failure);
            Assert.InRange(window!.InternedKeyCount, 1, 1 + (2 * 3));
            Assert.Equal(1 + (2 * Math.Min(i + 1, 3)), batch.Records.Count);
        }
    }

    [Fact]
    public void GroupByKeyAndWindow_groups_the_values_of_the_window_in_time_order()
    {
        var input = BigInput.Select(b => b.Select((p, i) => (p.Item1, p.Item2 + i)).ToArray()).ToArray();

        var output = StreamingTest.Run(input, s => s.GroupByKeyAndWindow(Seconds(2), Seconds(1)), numBatches: 4);

        Assert.Equal(
            [
                [("a", "1")],
                [("a", "1,1"), ("b", "2")],
                [("a", "1,1"), ("b", "2,2"), ("c", "3")],
                [("a", "1,1"), ("b", "2,2"), ("c", "3")],
            ],
            output.Select(b => Groups(b)).ToArray());
    }

    [Fact]
    public void GroupByKeyAndWindow_without_a_slide_and_with_a_longer_slide()
    {
        (string, int)[][] input = [[("a", 1)], [("a", 2)], [("a", 3)], [("b", 4)]];

        var sameSlide = StreamingTest.Run(input, s => s.GroupByKeyAndWindow(Seconds(3)), numBatches: 5);
        var longerSlide = StreamingTest.Run(input, s => s.GroupByKeyAndWindow(Seconds(4), Seconds(2)), numBatches: 6);

        Assert.Equal([[("a", "1")], [("a", "1,2")], [("a", "1,2,3")], [("a", "2,3"), ("b", "4")], [("a", "3"), ("b", "4")]], sameSlide.Select(b => Groups(b)).ToArray());
        Assert.Equal([[("a", "1,2")], [("a", "1,2,3"), ("b", "4")], [("a", "3"), ("b", "4")]], longerSlide.Select(b => Groups(b)).ToArray());
    }
}
