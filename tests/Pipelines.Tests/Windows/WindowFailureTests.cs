using Pipelines.Testing;
using Pipelines.Windows;
using static Pipelines.Tests.Windows.Multisets;

namespace Pipelines.Tests.Windows;

public sealed class WindowFailureTests
{
    [Fact]
    public void A_throwing_reduce_fails_that_window_and_the_next_one_proceeds_from_the_last_successful_window()
    {
        (string, int)[][] input = [[("a", 1)], [("a", 2)], [("a", 666), ("a", 1)], [("a", 3)], [], []];
        ReducedWindowedDStream<(string Key, int Value), string, int>? window = null;
        using var run = StreamingTest.Start(input, s =>
        {
            var reduced = s.ReduceByKeyAndWindow(
                (x, y) => x == 666 || y == 666 ? throw new InvalidOperationException("poison") : x + y,
                (x, y) => x - y,
                Seconds(2),
                filter: p => p.Value != 0);
            window = (ReducedWindowedDStream<(string Key, int Value), string, int>)reduced;
            return reduced;
        });

        Assert.Equal([("a", 1)], run.Step().Records);
        Assert.Equal([("a", 3)], run.Step().Records);
        var before = window!.ExportWindow();

        var failed = run.Step();
        var error = Assert.IsType<StreamingOperatorException>(failed.Failure);
        Assert.Equal("ReduceByKeyAndWindow", error.OperatorName);
        Assert.Equal(new BatchTime(3000), error.BatchTime);
        Assert.Contains("3000 ms", error.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(error.InnerException);
        AssertSameWindow(before, window.ExportWindow());

        // The failed batch's records are dropped; the window goes on from the one at 2000 ms.
        Assert.Equal([("a", 3)], run.Step().Records);
        Assert.Equal([("a", 3)], run.Step().Records);
        Assert.Empty(run.Step().Records);
    }

    [Fact]
    public void A_throwing_inverse_function_fails_that_window_without_changing_the_kept_result()
    {
        (string, int)[][] input = [[("a", 1)], [("a", 2)], [("a", 4)], [("a", 8)], [], []];
        var fail = false;
        ReducedWindowedDStream<(string Key, int Value), string, int>? window = null;
        using var run = StreamingTest.Start(input, s =>
        {
            var reduced = s.ReduceByKeyAndWindow((x, y) => x + y, (x, y) => fail ? throw new InvalidOperationException("inverse") : x - y, Seconds(3), filter: p => p.Value != 0);
            window = (ReducedWindowedDStream<(string Key, int Value), string, int>)reduced;
            return reduced;
        });

        Assert.Equal([("a", 1)], run.Step().Records);
        Assert.Equal([("a", 3)], run.Step().Records);
        Assert.Equal([("a", 7)], run.Step().Records);
        var before = window!.ExportWindow();
        fail = true;
        Assert.IsType<StreamingOperatorException>(run.Step().Failure);
        AssertSameWindow(before, window.ExportWindow());
        fail = false;

        // From the window at 3000 ms: minus batches 1 and 2, without the failed batch 4 (its record is dropped).
        Assert.Equal([("a", 4)], run.Step().Records);
        Assert.Empty(run.Step().Records);
        Assert.Equal(0, window.KeptBatchCount);
    }

    [Fact]
    public void A_failed_parent_batch_fails_the_window_that_needs_it_and_later_windows_skip_it()
    {
        int[][] input = [[1], [13], [3], [4]];
        using var run = StreamingTest.Start(input, s => s.Map(x => x == 13 ? throw new InvalidOperationException("unlucky") : x).Window(Seconds(2)));

        Assert.Equal([1], run.Step().Records);
        var failed = run.Step();
        var error = Assert.IsType<StreamingOperatorException>(failed.Failure);
        Assert.Equal("Map", error.OperatorName);
        Assert.Equal(new BatchTime(2000), error.BatchTime);
        var next = run.Step();
        Assert.Null(next.Failure);
        Assert.Equal([3], next.Records);
        Assert.Equal([3, 4], run.Step().Records);
    }

    [Fact]
    public void A_failed_parent_batch_under_a_longer_slide_fails_one_window_only()
    {
        int[][] input = [[1], [13], [3], [4], [5], [6]];
        using var run = StreamingTest.Start(input, s => s.Map(x => x == 13 ? throw new InvalidOperationException("unlucky") : x).ReduceByWindow((a, b) => a + b, Seconds(4), Seconds(2)));

        var steps = Enumerable.Range(0, 6).Select(_ => run.Step()).ToArray();

        Assert.IsType<StreamingOperatorException>(steps[1].Failure);
        Assert.Null(steps[3].Failure);
        Assert.Equal([1 + 3 + 4], steps[3].Records);
        Assert.Equal([18], steps[5].Records);
    }

    private static void AssertSameWindow<TKey, TValue>(Stateful.ReducedWindowSnapshot<TKey, TValue> expected, Stateful.ReducedWindowSnapshot<TKey, TValue> actual)
        where TKey : notnull
    {
        Assert.Equal(expected.Time, actual.Time);
        Assert.Equal(expected.Result.OrderBy(p => p.Key), actual.Result.OrderBy(p => p.Key));
        Assert.Equal(expected.KeptBatches.Select(b => b.Time), actual.KeptBatches.Select(b => b.Time));
    }
}
