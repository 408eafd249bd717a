using Pipelines.Testing;

namespace Pipelines.Tests.Hardening;

/// <summary>Runs alone: it measures the bytes the process allocates, which tests running in parallel would add to.</summary>
[CollectionDefinition(nameof(AllocationMeasurements), DisableParallelization = true)]
public sealed class AllocationMeasurements;

/// <summary>
/// Issue 10, item 6: building and running a graph costs memory linear in its size. Each case builds a chain of n
/// operators, starts it and runs one batch, for n and 10 n: linear cost allocates about 10 times as much, a quadratic
/// one about 100 times. Deep chains must not overflow the stack either (the graph walks and the batch computation do
/// not recurse per operator).
/// </summary>
[Collection(nameof(AllocationMeasurements))]
public sealed class LongChainTests
{
    private const int Small = 2_000;
    private const int Large = 20_000;

    public static TheoryData<string> Chains => ["Map", "Union", "Mixed"];

    [Theory]
    [MemberData(nameof(Chains))]
    public void A_chain_of_20000_operators_builds_and_runs_a_batch_in_memory_linear_in_its_length(string chain)
    {
        Run(chain, 200, out _); // warm up: JIT and pools
        var small = Run(chain, Small, out var smallOutput);
        var large = Run(chain, Large, out var largeOutput);

        Assert.Equal(Expected(chain, Small), smallOutput);
        Assert.Equal(Expected(chain, Large), largeOutput);
        Assert.True(
            large < 20 * small,
            $"{chain}: {Large} operators allocated {large >> 20} MiB, {Small} allocated {small >> 20} MiB: more than linear growth");
        Assert.True(large < 512L << 20, $"{chain}: {Large} operators allocated {large >> 20} MiB");
    }

    [Fact]
    public void A_chain_of_200000_maps_builds_and_starts_on_a_1_MiB_stack_and_runs_a_batch()
    {
        // Building and starting run on a thread with a small stack (a walk that recursed per operator would overflow
        // it); the batch runs on the job loop, where computing nests at most 64 streams deep.
        const int Length = 200_000;
        long[] output = [];
        Exception? failure = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    Run("Map", Length, out output);
                }
                catch (Exception error)
                {
                    failure = error;
                }
            },
            maxStackSize: 1 << 20);
        thread.Start();
        thread.Join();

        Assert.Null(failure);
        Assert.Equal(Expected("Map", Length), output);
    }

    /// <summary>Builds the chain, runs one batch of the records 1, 2, 3 and returns the bytes allocated.</summary>
    private static long Run(string chain, int length, out long[] output)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = new ManualClock();
        var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock, StopOnShutdownSignal = false });
        var input = ssc.QueueStream<long>([[1, 2, 3]]);
        var stream = input;
        for (var i = 0; i < length; i++)
        {
            stream = chain switch
            {
                "Map" => stream.Map(x => x + 1),
                "Union" => stream.Union(input),
                _ => (i % 3) switch
                {
                    0 => stream.Map(x => x + 1),
                    1 => stream.Filter(x => x > 0),
                    _ => stream.FlatMap(x => new[] { x }),
                },
            };
        }

        long[] result = [];
        stream.ForEachBatch((batch, _) => result = [.. batch.Order()]);
        ssc.Start();
        clock.Advance(TimeSpan.FromSeconds(1));
        ssc.Scheduler!.WhenCompletedAsync(new BatchTime(1000)).Wait(TimeSpan.FromSeconds(120));
        ssc.StopAsync(graceful: false).Wait(TimeSpan.FromSeconds(120));
        output = result;
        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }

    private static long[] Expected(string chain, int length)
    {
        var records = new List<long> { 1, 2, 3 };
        for (var i = 0; i < length; i++)
        {
            if (chain == "Map" || (chain == "Mixed" && i % 3 == 0))
            {
                records = records.ConvertAll(x => x + 1);
            }
            else if (chain == "Union")
            {
                records.AddRange([1, 2, 3]);
            }
        }

        records.Sort();
        return [.. records];
    }
}
