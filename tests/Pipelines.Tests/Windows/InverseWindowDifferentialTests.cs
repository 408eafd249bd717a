using CsCheck;
using Pipelines.Testing;
using static Pipelines.Tests.Windows.Multisets;

namespace Pipelines.Tests.Windows;

/// <summary>The incremental ReduceByKeyAndWindow against the recomputing one, on random inputs.</summary>
public sealed class InverseWindowDifferentialTests
{
    // One sample of many cases from a fixed seed: the same inputs on every run (CsCheck still shrinks a failure).
    private const string Seed = "1Leck0_De__1";
    private const int CaseCount = 120;

    // Values in -2..2 make keys go back to 0 both by leaving the window and by cancelling out inside it.
    private static readonly Gen<(int WindowSeconds, int SlideSeconds, (string Key, int Value)[][] Batches)> Case =
        Gen.Select(
            Gen.Int[1, 4],
            Gen.Int[1, 3],
            Gen.Select(Gen.OneOfConst("a", "b", "c", "d"), Gen.Int[-2, 2]).Array[0, 5].Array[0, 9]);

    [Fact]
    public void With_a_filter_that_drops_neutral_keys_the_incremental_window_equals_the_recomputed_one()
    {
        Case.Array[CaseCount].Sample(
            cases =>
            {
                foreach (var (window, slide, batches) in cases)
                {
                    var numBatches = batches.Length + window + slide + 1;
                    var recomputed = StreamingTest.Run(
                        batches,
                        s => s.ReduceByKeyAndWindow((a, b) => a + b, Seconds(window), Seconds(slide)).Filter(p => p.Value != 0),
                        numBatches);
                    var incremental = StreamingTest.Run(
                        batches,
                        s => s.ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, Seconds(window), Seconds(slide), p => p.Value != 0),
                        numBatches);

                    Assert.Equal(SortedBatches(recomputed), SortedBatches(incremental));
                }
            },
            seed: Seed,
            iter: 1,
            threads: 1);
    }

    [Fact]
    public void Without_a_filter_the_incremental_window_has_the_recomputed_keys_plus_keys_that_went_back_to_neutral()
    {
        Case.Array[CaseCount].Sample(
            cases =>
            {
                foreach (var (window, slide, batches) in cases)
                {
                    var numBatches = batches.Length + window + slide + 1;
                    var recomputed = StreamingTest.Run(batches, s => s.ReduceByKeyAndWindow((a, b) => a + b, Seconds(window), Seconds(slide)), numBatches);
                    var incremental = StreamingTest.Run(batches, s => s.ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, Seconds(window), Seconds(slide)), numBatches);

                    Assert.Equal(recomputed.Count, incremental.Count);
                    for (var i = 0; i < recomputed.Count; i++)
                    {
                        var recomputedKeys = recomputed[i].Select(p => p.Key).ToHashSet();
                        Assert.Equal(Sorted(recomputed[i]), Sorted(incremental[i].Where(p => recomputedKeys.Contains(p.Key))));
                        Assert.All(incremental[i].Where(p => !recomputedKeys.Contains(p.Key)), p => Assert.Equal(0, p.Value));
                    }
                }
            },
            seed: Seed,
            iter: 1,
            threads: 1);
    }
}
