using Xunit.Abstractions;
using Pipelines.Benchmarks.Data;
using Pipelines.Benchmarks.Harness;
using Pipelines.Benchmarks.MapFilterSum;
using Pipelines.Benchmarks.WordCount;

namespace Pipelines.Benchmarks.Tests;

/// <summary>
/// A warm batch allocates nothing end to end through the runtime (timer, input, job loop, compiled stage, output,
/// metrics), for W1 and W2 (known vocabulary) as the benchmarks' driver runs them (<see cref="PipelineRun{TOut, TResult}"/>
/// on a <see cref="Pipelines.Testing.ManualClock"/>). Measured over every thread of the process
/// (<see cref="GC.GetTotalAllocatedBytes(bool)"/>: the job loop is another thread), so the tests run alone (no
/// parallel test collection). Allocation counts are deterministic; only an unrelated background allocation of the
/// test host could land in a window, so each test measures a few windows and requires one at exactly 0 B: a batch
/// that allocates shows in every window.
/// </summary>
[Collection(nameof(RuntimeAllocationTests))]
[CollectionDefinition(nameof(RuntimeAllocationTests), DisableParallelization = true)]
public sealed class RuntimeAllocationTests(ITestOutputHelper output)
{
    private const int Warm = 300;
    private const int Measured = 400;
    private const int Windows = 3;

    [Fact]
    public void W1_map_filter_sum_allocates_nothing_per_warm_batch_through_the_runtime()
    {
        var values = BenchmarkData.Integers(10_000);
        using var run = new PipelineRun<long, long>(c => MapFilterSumPipeline.Compile(PipelineInputs.Repeat(c, values)), static b => b.Count == 0 ? 0 : b[0]);

        var perWindow = Measure(() => run.Step());

        output.WriteLine($"W1: {string.Join(", ", perWindow)} B per window of {Measured} warm batches");
        Assert.True(perWindow.Min() == 0, $"W1 allocated {perWindow.Min()} B over {Measured} warm batches through the runtime (best of {Windows} windows): expected 0 B");
        Assert.Equal(MapFilterSumLoops.PlainIf(values), run.Step());
    }

    [Fact]
    public void W2_word_count_allocates_nothing_per_warm_batch_through_the_runtime()
    {
        var lines = BenchmarkData.Lines(1_000);
        using var run = new PipelineRun<(string Key, int Value), int>(c => WordCountPipeline.Compile(PipelineInputs.Repeat(c, lines)), static b => b.Count);

        var perWindow = Measure(() => run.Step());

        output.WriteLine($"W2: {string.Join(", ", perWindow)} B per window of {Measured} warm batches");
        Assert.True(perWindow.Min() == 0, $"W2 allocated {perWindow.Min()} B over {Measured} warm batches through the runtime (best of {Windows} windows): expected 0 B");
        Assert.Equal(new SpanWordCounter().Count(lines), run.Step());
    }

    [Fact]
    public void W2_word_count_in_parallel_partitions_allocates_nothing_per_warm_batch_through_the_runtime()
    {
        // Enough lines for several input partitions: the map side runs per partition, the shuffle and reduce side in parallel.
        var lines = BenchmarkData.Lines(6_000);
        using var run = new PipelineRun<(string Key, int Value), int>(
            c => WordCountPipeline.Compile(PipelineInputs.Repeat(c, lines)), static b => b.Count, parallelism: 2, inputPartitionRecords: 2_048);

        var perWindow = Measure(() => run.Step());

        output.WriteLine($"W2, 2 parallel partitions: {string.Join(", ", perWindow)} B per window of {Measured} warm batches");
        Assert.True(perWindow.Min() == 0, $"W2 in parallel allocated {perWindow.Min()} B over {Measured} warm batches through the runtime (best of {Windows} windows): expected 0 B");
        Assert.Equal(new SpanWordCounter().Count(lines), run.Step());
    }

    private static long[] Measure(Func<long> step)
    {
        for (var i = 0; i < Warm; i++)
        {
            step();
        }

        var windows = new long[Windows];
        for (var w = 0; w < Windows; w++)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            for (var i = 0; i < Measured; i++)
            {
                step();
            }

            windows[w] = GC.GetTotalAllocatedBytes(precise: true) - before;
        }

        return windows;
    }
}
