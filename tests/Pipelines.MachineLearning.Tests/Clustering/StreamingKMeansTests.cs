using Pipelines.MachineLearning.Clustering;
using Pipelines.Testing;

namespace Pipelines.MachineLearning.Tests.Clustering;

/// <summary>Ported from MLlib's StreamingKMeansSuite, with its tolerances.</summary>
public sealed class StreamingKMeansTests
{
    private static void Train(StreamingKMeans kMeans, double[][][] batches) =>
        StreamingTest.Run(batches, data =>
        {
            kMeans.TrainOn(data);
            return data.Count();
        }, batches.Length);

    private static void AssertClose(double[] expected, double[] actual, double absTol)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= absTol, $"Coordinate {i}: expected {expected[i]} ± {absTol}, got {actual[i]}.");
        }
    }

    [Fact]
    public void Single_center_is_accurate_and_equals_the_grand_average()
    {
        const int numBatches = 10, numPoints = 50, d = 5;
        var kMeans = new StreamingKMeans { K = 1, DecayFactor = 1.0 }
            .InitialCenters([[0.0, 0.0, 0.0, 0.0, 0.0]], [0.0]);
        var (input, centers) = TestData.KMeansData(numPoints, numBatches, k: 1, d, r: 0.1, seed: 42);

        Train(kMeans, input);

        var estimated = kMeans.LatestModel.ClusterCenters[0];
        AssertClose(centers[0], estimated, 1e-1);
        var grandMean = Enumerable.Range(0, d).Select(j => input.SelectMany(b => b).Sum(p => p[j]) / (numBatches * numPoints)).ToArray();
        AssertClose(grandMean, estimated, 1e-5);
        Assert.Equal(numBatches * numPoints, kMeans.LatestModel.ClusterWeights[0], 9);
    }

    [Fact]
    public void Two_centers_are_found_with_a_half_life_in_batches()
    {
        const int numBatches = 10, numPoints = 5;
        var kMeans = new StreamingKMeans { K = 2 }
            .HalfLife(2, DecayTimeUnit.Batches)
            .InitialCenters([[-0.1, 0.1, -0.2, -0.3, -0.1], [0.1, -0.2, 0.0, 0.2, 0.1]], [5.0, 5.0]);
        // MLlib draws with seed 42 from Spark's XORShiftRandom; its seed hashing (Scala's MurmurHash3) could not be
        // reproduced bit for bit here, and seed 42 of this port puts both true centers nearest the second initial
        // center, so the first never gets a point. Seed 45 is the first whose true centers are each nearest a
        // different initial center, which is the situation MLlib's test exercises.
        var (input, centers) = TestData.KMeansData(numPoints, numBatches, k: 2, d: 5, r: 0.1, seed: 45);

        Train(kMeans, input);

        // Cluster order is arbitrary: match the closest.
        var model = kMeans.LatestModel.ClusterCenters;
        var (c0, c1) = TestData.SquaredDistance(model[0], centers[0]) < TestData.SquaredDistance(model[0], centers[1])
            ? (centers[0], centers[1])
            : (centers[1], centers[0]);
        AssertClose(c0, model[0], 1e-1);
        AssertClose(c1, model[1], 1e-1);
    }

    [Fact]
    public void A_dying_cluster_is_detected_and_the_largest_is_split()
    {
        const int numBatches = 10, numPoints = 5;
        var kMeans = new StreamingKMeans { K = 2 }
            .HalfLife(0.5, DecayTimeUnit.Points)
            .InitialCenters([[0.0], [1000.0]], [1.0, 1.0]);
        // All data are around the first center, 0.0.
        var (input, _) = TestData.KMeansData(numPoints, numBatches, k: 1, d: 1, r: 1.0, seed: 42, initialCenters: [[0.0]]);

        Train(kMeans, input);

        var model = kMeans.LatestModel;
        var c0 = model.ClusterCenters[0][0];
        var c1 = model.ClusterCenters[1][0];
        Assert.True(c0 * c1 < 0.0, $"Expected one positive and one negative center, got {c0} and {c1}.");
        // 0.8 is the mean of the half-normal distribution.
        Assert.True(Math.Abs(Math.Abs(c0) - 0.8) <= 0.6, $"|c0| = {Math.Abs(c0)}");
        Assert.True(Math.Abs(Math.Abs(c1) - 0.8) <= 0.6, $"|c1| = {Math.Abs(c1)}");
    }

    [Fact]
    public void Decay_factor_defaults_to_one_and_can_be_set()
    {
        var kMeans = new StreamingKMeans();
        Assert.Equal(1.0, kMeans.DecayFactor);
        Assert.Equal(2, kMeans.K);
        kMeans.DecayFactor = 2.0;
        Assert.Equal(2.0, kMeans.DecayFactor);
        Assert.Equal(Math.Pow(0.5, 1.0 / 3), kMeans.HalfLife(3, DecayTimeUnit.Points).DecayFactor, 15);
        Assert.Equal(DecayTimeUnit.Points, kMeans.TimeUnit);
    }

    [Fact]
    public void Decay_discounts_old_weights_by_the_update_rule()
    {
        // Center 0 at 0 with weight 4, center 1 at 10 with weight 2; decay 0.5 per batch.
        var kMeans = new StreamingKMeans { DecayFactor = 0.5 }.InitialCenters([[0.0], [10.0]], [4.0, 2.0]);
        // Batch 1: two points near center 0 (mean 1); none for center 1. Batch 2: empty.
        Train(kMeans, [[[0.5], [1.5]], []]);

        var model = kMeans.LatestModel;
        // Batch 1: w0 = 4*0.5 + 2 = 4, c0 = (0*2 + 1*2) / 4 = 0.5; w1 = 2*0.5 = 1. Batch 2 (empty): weights halve.
        Assert.Equal(0.5, model.ClusterCenters[0][0], 12);
        Assert.Equal(10.0, model.ClusterCenters[1][0], 12);
        Assert.Equal(2.0, model.ClusterWeights[0], 12);
        Assert.Equal(0.5, model.ClusterWeights[1], 12);
    }

    [Fact]
    public void Decay_zero_keeps_only_the_newest_batch()
    {
        var kMeans = new StreamingKMeans { K = 1, DecayFactor = 0.0 }.InitialCenters([[0.0, 0.0]], [100.0]);
        Train(kMeans, [[[1.0, 1.0], [3.0, 3.0]], [[-4.0, 2.0], [-2.0, 4.0], [-3.0, 3.0]]]);

        Assert.Equal([-3.0, 3.0], kMeans.LatestModel.ClusterCenters[0]);
        Assert.Equal(3.0, kMeans.LatestModel.ClusterWeights[0]);
    }

    [Fact]
    public void Random_centers_are_reproducible_for_a_seed()
    {
        var a = new StreamingKMeans { K = 3 }.RandomCenters(4, 1.5, seed: 7).LatestModel;
        var b = new StreamingKMeans { K = 3 }.RandomCenters(4, 1.5, seed: 7).LatestModel;
        var c = new StreamingKMeans { K = 3 }.RandomCenters(4, 1.5, seed: 8).LatestModel;

        Assert.Equal(3, a.K);
        Assert.Equal(4, a.Dimensions);
        Assert.Equal(a.ClusterCenters, b.ClusterCenters);
        Assert.NotEqual(a.ClusterCenters, c.ClusterCenters);
        Assert.All(a.ClusterWeights, w => Assert.Equal(1.5, w));
    }

    [Fact]
    public void PredictOn_and_PredictOnValues_give_the_closest_center()
    {
        var kMeans = new StreamingKMeans().InitialCenters([[0.0, 0.0], [10.0, 10.0]], [1.0, 1.0]);

        var clusters = StreamingTest.Run([[new[] { 1.0, 1.0 }, [9.0, 8.0], [4.9, 5.0]]], kMeans.PredictOn, 1);
        var keyed = StreamingTest.Run([[("a", new[] { 11.0, 9.0 }), ("b", new[] { -1.0, 0.0 })]], data => kMeans.PredictOnValues(data), 1);

        Assert.Equal([0, 1, 0], clusters[0]);
        Assert.Equal([("a", 1), ("b", 0)], keyed[0]);
    }

    [Fact]
    public void Training_and_prediction_use_the_model_after_each_batch()
    {
        var kMeans = new StreamingKMeans { K = 1 }.InitialCenters([[0.0]], [0.0]);
        var seen = new List<double>();
        StreamingTest.Run([[new[] { 2.0 }], [[4.0]], [[6.0]]], data =>
        {
            kMeans.TrainOn(data);
            data.ForEachBatch((_, _) => seen.Add(kMeans.LatestModel.ClusterCenters[0][0]));
            return data.Count();
        }, 3);

        Assert.Equal([2.0, 3.0, 4.0], seen);
    }

    [Fact]
    public void A_point_with_the_wrong_dimensions_fails_the_batch_and_keeps_the_model()
    {
        var kMeans = new StreamingKMeans { K = 1 }.InitialCenters([[0.0, 0.0]], [0.0]);
        using var run = StreamingTest.Start<double[], long>([[[2.0, 2.0]], [[1.0]], [[4.0, 4.0]]], data =>
        {
            kMeans.TrainOn(data);
            return data.Count();
        });

        Assert.Null(run.Step().Failure);
        var failed = run.Step();
        Assert.NotNull(failed.Failure);
        Assert.Contains("2 dimensions", failed.Failure!.ToString(), StringComparison.Ordinal);
        Assert.Equal([2.0, 2.0], kMeans.LatestModel.ClusterCenters[0]);
        Assert.Null(run.Step().Failure);
        Assert.Equal([3.0, 3.0], kMeans.LatestModel.ClusterCenters[0]);
    }

    [Fact]
    public void Using_the_model_before_setting_centers_says_what_to_do()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new StreamingKMeans().LatestModel);
        Assert.Contains("InitialCenters or RandomCenters", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new StreamingKMeans().InitialCenters([[0.0], [1.0, 2.0]], [1.0, 1.0]));
    }
}
