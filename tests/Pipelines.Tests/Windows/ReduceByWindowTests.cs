using Pipelines.Testing;
using static Pipelines.Tests.Windows.Multisets;

namespace Pipelines.Tests.Windows;

public sealed class ReduceByWindowTests
{
    private static readonly int[][] Input = [[1], [2, 3], [], [4]];

    [Fact]
    public void ReduceByWindow_recomputes_each_window_and_an_empty_window_is_empty()
    {
        var output = StreamingTest.Run(Input, s => s.ReduceByWindow((a, b) => a + b, Seconds(2), Seconds(1)), numBatches: 7);

        Assert.Equal([[1], [6], [5], [4], [4], [], []], output);
    }

    [Fact]
    public void ReduceByWindow_with_inverse_keeps_a_neutral_value_once_it_has_seen_data()
    {
        var output = StreamingTest.Run(Input, s => s.ReduceByWindow((a, b) => a + b, (a, b) => a - b, Seconds(2), Seconds(1)), numBatches: 7);

        Assert.Equal([[1], [6], [5], [4], [4], [0], [0]], output);
    }

    [Fact]
    public void ReduceByWindow_before_any_data_is_empty_in_both_forms()
    {
        int[][] input = [[], [], [5]];

        var recomputed = StreamingTest.Run(input, s => s.ReduceByWindow((a, b) => a + b, Seconds(2), Seconds(1)), numBatches: 3);
        var incremental = StreamingTest.Run(input, s => s.ReduceByWindow((a, b) => a + b, (a, b) => a - b, Seconds(2), Seconds(1)), numBatches: 3);

        Assert.Equal([[], [], [5]], recomputed);
        Assert.Equal([[], [], [5]], incremental);
    }

    [Fact]
    public void ReduceByWindow_with_a_slide_longer_than_the_batch_interval()
    {
        int[][] input = [[1], [2], [3], [4], [5], [6]];

        var recomputed = StreamingTest.Run(input, s => s.ReduceByWindow((a, b) => a + b, Seconds(4), Seconds(2)), numBatches: 8);
        var incremental = StreamingTest.Run(input, s => s.ReduceByWindow((a, b) => a + b, (a, b) => a - b, Seconds(4), Seconds(2)), numBatches: 8);

        Assert.Equal([[3], [10], [18], [11]], recomputed);
        Assert.Equal([[3], [10], [18], [11]], incremental);
    }

    [Fact]
    public void CountByWindow_counts_the_records_of_each_window_as_Spark_does()
    {
        // Spark's WindowOperationsSuite "countByWindow".
        int[][] input = [[1], [1], [1, 2], [0], [], []];

        var output = StreamingTest.Run(input, s => s.CountByWindow(Seconds(2), Seconds(1)), numBatches: 6);

        Assert.Equal([[1L], [2L], [3L], [3L], [1L], [0L]], output);
    }

    [Fact]
    public void CountByWindow_with_a_longer_slide_and_empty_batches()
    {
        string[][] input = [["a"], ["b", "c"], [], ["d"], [], [], [], []];

        var output = StreamingTest.Run(input, s => s.CountByWindow(Seconds(4), Seconds(2)), numBatches: 10);

        Assert.Equal([[3L], [4L], [1L], [0L], [0L]], output);
    }

    [Fact]
    public void CountByValueAndWindow_counts_each_value_and_drops_values_whose_count_fell_to_zero()
    {
        string[][] input = [["a", "a", "b"], ["b"], [], ["c"]];

        var output = StreamingTest.Run(input, s => s.CountByValueAndWindow(Seconds(2), Seconds(1)), numBatches: 6);

        Assert.Equal(
            [
                [("a", 2L), ("b", 1L)],
                [("a", 2L), ("b", 2L)],
                [("b", 1L)],
                [("c", 1L)],
                [("c", 1L)],
                [],
            ],
            SortedBatches(output));
    }

    [Fact]
    public void CountByValueAndWindow_tumbling()
    {
        string[][] input = [["x"], ["x", "y"], ["y"], []];

        var output = StreamingTest.Run(input, s => s.CountByValueAndWindow(Seconds(2), Seconds(2)), numBatches: 6);

        Assert.Equal([[("x", 2L), ("y", 1L)], [("y", 1L)], []], SortedBatches(output));
    }
}
