using Xunit.Abstractions;
using Pipelines.Benchmarks.Data;
using Pipelines.Benchmarks.Harness;
using Pipelines.Benchmarks.MapFilterSum;
using Pipelines.Benchmarks.WordCount;

namespace Pipelines.Benchmarks.Tests;

/// <summary>
/// Bytes allocated per warm batch end to end through the runtime (timer, input, job loop, compiled stage, output,
/// listener events), for W1 and W2 as the benchmarks run them. Measured over every thread of the process
/// (<see cref="GC.GetTotalAllocatedBytes(bool)"/>), so the tests run alone (no parallel test collection).
/// </summary>
[Collection(nameof(RuntimeAllocationTests))]
[CollectionDefinition(nameof(RuntimeAllocationTests), DisableParallelization = true)]
public sealed class RuntimeAllocationTests(ITestOutputHelper output)
{
    private const int Warm = 200;
    private const int Measured = 400;

    [Fact]
    public void W1_map_filter_sum_allocation_per_warm_batch_through_the_runtime()
    {
        var values = BenchmarkData.Integers(10_000);
        using var run = new PipelineRun<long, long>(c => MapFilterSumPipeline.Compile(PipelineInputs.Repeat(c, values)), static b => b.Count == 0 ? 0 : b[0]);

        var perBatch = Measure(() => run.Step());

        output.WriteLine($"W1: {perBatch:F1} B per warm batch");
        Assert.True(perBatch <= Budget, $"W1 allocated {perBatch:F1} B per warm batch through the runtime (budget {Budget} B)");
    }

    [Fact]
    public void W2_word_count_allocation_per_warm_batch_through_the_runtime()
    {
        var lines = BenchmarkData.Lines(1_000);
        using var run = new PipelineRun<(string Key, int Value), int>(c => WordCountPipeline.Compile(PipelineInputs.Repeat(c, lines)), static b => b.Count);

        var perBatch = Measure(() => run.Step());

        output.WriteLine($"W2: {perBatch:F1} B per warm batch");
        Assert.True(perBatch <= Budget, $"W2 allocated {perBatch:F1} B per warm batch through the runtime (budget {Budget} B)");
    }

    /// <summary>What a warm batch may allocate today (see docs/benchmarks.md); lower it as the runtime sheds allocations.</summary>
    private const double Budget = 4096;

    private static double Measure(Func<long> step)
    {
        for (var i = 0; i < Warm; i++)
        {
            step();
        }

        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < Measured; i++)
        {
            step();
        }

        return (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)Measured;
    }
}
