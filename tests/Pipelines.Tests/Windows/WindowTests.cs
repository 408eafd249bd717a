using Pipelines.Testing;
using static Pipelines.Tests.Windows.Multisets;

namespace Pipelines.Tests.Windows;

public sealed class WindowTests
{
    private static readonly int[][] SixBatches = [[0], [1], [2], [3], [4], [5]];

    [Fact]
    public void Window_covers_the_parent_batches_of_the_last_window_length_at_each_slide()
    {
        var output = StreamingTest.Run(SixBatches, s => s.Window(Seconds(2), Seconds(1)), numBatches: 8);

        Assert.Equal([[0], [0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [5], []], output);
    }

    [Fact]
    public void Window_without_a_slide_uses_the_parent_slide()
    {
        var output = StreamingTest.Run(SixBatches, s => s.Window(Seconds(3)), numBatches: 4);

        Assert.Equal([[0], [0, 1], [0, 1, 2], [1, 2, 3]], output);
    }

    [Fact]
    public void Tumbling_window_equal_to_the_slide_gives_disjoint_windows()
    {
        var output = StreamingTest.Run(SixBatches, s => s.Window(Seconds(2), Seconds(2)), numBatches: 6);

        Assert.Equal([[0, 1], [2, 3], [4, 5]], output);
    }

    [Fact]
    public void Window_longer_than_the_slide_overlaps_and_the_first_window_covers_what_exists()
    {
        var output = StreamingTest.Run(SixBatches, s => s.Window(Seconds(4), Seconds(2)), numBatches: 8);

        Assert.Equal([[0, 1], [0, 1, 2, 3], [2, 3, 4, 5], [4, 5]], output);
    }

    [Fact]
    public void Window_shorter_than_the_slide_skips_the_batches_between_windows()
    {
        var output = StreamingTest.Run(SixBatches, s => s.Window(Seconds(2), Seconds(3)), numBatches: 6);

        Assert.Equal([[1, 2], [4, 5]], output);
    }

    [Fact]
    public void Windowed_stream_produces_batches_only_at_multiples_of_its_slide()
    {
        using var run = StreamingTest.Start(SixBatches, s => s.Window(Seconds(3), Seconds(3)));

        var steps = Enumerable.Range(0, 6).Select(_ => run.Step()).ToArray();

        Assert.Equal([false, false, true, false, false, true], steps.Select(s => s.Produced));
        Assert.Equal([0, 1, 2], steps[2].Records);
        Assert.Equal([3, 4, 5], steps[5].Records);
    }

    [Fact]
    public void Empty_batches_inside_and_after_the_input_give_windows_of_what_remains()
    {
        int[][] input = [[1], [], [2], [], []];

        var output = StreamingTest.Run(input, s => s.Window(Seconds(2)), numBatches: 7);

        Assert.Equal([[1], [1], [2], [2], [], [], []], output);
    }

    [Fact]
    public void Window_of_a_window_counts_in_the_parent_slide()
    {
        var output = StreamingTest.Run(SixBatches, s => s.Window(Seconds(2), Seconds(2)).Window(Seconds(4), Seconds(2)), numBatches: 6);

        Assert.Equal([[0, 1], [0, 1, 2, 3], [2, 3, 4, 5]], output);
    }

    [Fact]
    public void Window_keeps_each_parent_batch_as_a_partition()
    {
        var output = StreamingTest.Run([[1, 2], [3]], s => s.Window(Seconds(2)).Glom(), numBatches: 2);

        Assert.Equal([[1, 2]], output[0]);
        Assert.Equal([[1, 2], [3]], output[1]);
    }

    [Fact]
    public void Window_keeps_parent_batches_cached_so_upstream_work_runs_once_per_record()
    {
        var calls = 0;
        var output = StreamingTest.Run(
            [[1], [2], [3], [4], [5]],
            s => s.Map(x => { Interlocked.Increment(ref calls); return x * 10; }).Window(Seconds(3), Seconds(1)),
            numBatches: 5);

        Assert.Equal([[10], [10, 20], [10, 20, 30], [20, 30, 40], [30, 40, 50]], output);
        Assert.Equal(5, calls);
    }

    [Fact]
    public void Window_with_a_batch_interval_other_than_one_second_works_in_the_parent_slide()
    {
        var output = StreamingTest.Run(SixBatches, s => s.Window(TimeSpan.FromMilliseconds(1500), TimeSpan.FromMilliseconds(1000)), numBatches: 6, batchInterval: TimeSpan.FromMilliseconds(500));

        Assert.Equal([[0, 1], [1, 2, 3], [3, 4, 5]], output);
    }
}
