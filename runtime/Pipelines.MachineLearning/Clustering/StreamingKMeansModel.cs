using System.Numerics.Tensors;
using System.Text.Json.Serialization;

namespace Pipelines.MachineLearning.Clustering;

/// <summary>
/// A k-means model that streaming training updates (MLlib's <c>StreamingKMeansModel</c>): the cluster centers
/// and the weight of each, i.e. the discounted number of points assigned to it so far. Immutable: each training
/// batch makes a new model.
/// </summary>
/// <remarks>
/// The model is the state of <see cref="StreamingKMeans.TrainOn"/> and is saved in checkpoints as
/// <c>{"ClusterCenters":[[...],...],"ClusterWeights":[...]}</c>.
/// </remarks>
public sealed class StreamingKMeansModel
{
    /// <summary>The smallest weight, relative to the largest, below which a cluster counts as dying (MLlib's 1e-8).</summary>
    internal const double DyingRatio = 1e-8;

    private readonly double[] _centers;
    private readonly double[] _weights;

    /// <summary>Creates a model from its centers and their weights (copied).</summary>
    /// <param name="clusterCenters">One center per cluster, all of the same (positive) length.</param>
    /// <param name="clusterWeights">The weight of each center (how many points it stands for); not negative.</param>
    /// <exception cref="ArgumentException">No centers, centers of different lengths, or weights that do not match the centers.</exception>
    public StreamingKMeansModel(double[][] clusterCenters, double[] clusterWeights)
    {
        ArgumentNullException.ThrowIfNull(clusterCenters);
        ArgumentNullException.ThrowIfNull(clusterWeights);
        if (clusterCenters.Length == 0)
        {
            throw new ArgumentException("A k-means model needs at least one center.", nameof(clusterCenters));
        }

        if (clusterWeights.Length != clusterCenters.Length)
        {
            throw new ArgumentException($"There are {clusterCenters.Length} centers but {clusterWeights.Length} weights; give one weight per center.", nameof(clusterWeights));
        }

        var dimensions = clusterCenters[0]?.Length ?? 0;
        if (dimensions == 0)
        {
            throw new ArgumentException("The centers need at least one dimension.", nameof(clusterCenters));
        }

        _centers = new double[clusterCenters.Length * dimensions];
        for (var i = 0; i < clusterCenters.Length; i++)
        {
            var center = clusterCenters[i];
            if (center is null || center.Length != dimensions)
            {
                throw new ArgumentException($"Center {i} has {center?.Length ?? 0} dimensions but center 0 has {dimensions}; all centers need the same number.", nameof(clusterCenters));
            }

            center.CopyTo(_centers, i * dimensions);
        }

        foreach (var weight in clusterWeights)
        {
            if (!(weight >= 0))
            {
                throw new ArgumentException($"Weight {weight} is not a non-negative number.", nameof(clusterWeights));
            }
        }

        _weights = (double[])clusterWeights.Clone();
        Dimensions = dimensions;
    }

    private StreamingKMeansModel(double[] centers, double[] weights, int dimensions)
    {
        _centers = centers;
        _weights = weights;
        Dimensions = dimensions;
    }

    /// <summary>The number of clusters.</summary>
    [JsonIgnore]
    public int K => _weights.Length;

    /// <summary>The number of dimensions of the points.</summary>
    [JsonIgnore]
    public int Dimensions { get; }

    /// <summary>A copy of the cluster centers.</summary>
    public double[][] ClusterCenters
    {
        get
        {
            var centers = new double[K][];
            for (var i = 0; i < centers.Length; i++)
            {
                centers[i] = GetCenter(i).ToArray();
            }

            return centers;
        }
    }

    /// <summary>A copy of the cluster weights (the discounted number of points each center stands for).</summary>
    public double[] ClusterWeights => (double[])_weights.Clone();

    /// <summary>The center of cluster <paramref name="index"/>, without copying.</summary>
    public ReadOnlySpan<double> GetCenter(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, K);
        return new ReadOnlySpan<double>(_centers, index * Dimensions, Dimensions);
    }

    /// <summary>The weight of cluster <paramref name="index"/>.</summary>
    public double GetWeight(int index) => _weights[index];

    /// <summary>The index of the center closest to <paramref name="point"/> (Euclidean distance; the first on ties).</summary>
    /// <exception cref="ArgumentException">The point does not have <see cref="Dimensions"/> values.</exception>
    public int Predict(ReadOnlySpan<double> point)
    {
        CheckDimensions(point.Length);
        return Closest(point);
    }

    /// <summary>
    /// The model after one mini-batch k-means step on <paramref name="points"/> (MLlib's
    /// <c>StreamingKMeansModel.update</c>): every weight is discounted (by <paramref name="decayFactor"/>, or by
    /// <paramref name="decayFactor"/> to the power of the number of points with <see cref="DecayTimeUnit.Points"/>);
    /// each center with new points moves to the weighted mean of itself and them; then, if the smallest weight is
    /// below 1e-8 of the largest, the largest cluster is split in two.
    /// </summary>
    internal StreamingKMeansModel Update(IReadOnlyList<double[]> points, double decayFactor, DecayTimeUnit timeUnit)
    {
        var k = K;
        var dimensions = Dimensions;
        var sums = new double[k * dimensions];
        var counts = new long[k];
        if (PointSpan.TryGet(points, out var span))
        {
            foreach (var point in span)
            {
                Accumulate(point, sums, counts);
            }
        }
        else
        {
            for (var i = 0; i < points.Count; i++)
            {
                Accumulate(points[i], sums, counts);
            }
        }

        var discount = timeUnit == DecayTimeUnit.Batches ? decayFactor : Math.Pow(decayFactor, points.Count);
        var weights = new double[k];
        TensorPrimitives.Multiply(_weights, discount, weights);
        var centers = (double[])_centers.Clone();
        for (var label = 0; label < k; label++)
        {
            var count = counts[label];
            if (count == 0)
            {
                continue;
            }

            var updatedWeight = weights[label] + count;
            var lambda = count / Math.Max(updatedWeight, 1e-16);
            weights[label] = updatedWeight;
            var centroid = centers.AsSpan(label * dimensions, dimensions);
            TensorPrimitives.Multiply(centroid, 1.0 - lambda, centroid);
            TensorPrimitives.MultiplyAdd(sums.AsSpan(label * dimensions, dimensions), lambda / count, centroid, centroid);
        }

        SplitDyingCluster(centers, weights, dimensions);
        return new StreamingKMeansModel(centers, weights, dimensions);
    }

    /// <summary>Adds <paramref name="point"/> to the sum and count of its closest center.</summary>
    private void Accumulate(double[] point, double[] sums, long[] counts)
    {
        ArgumentNullException.ThrowIfNull(point);
        CheckDimensions(point.Length);
        var label = Closest(point);
        var sum = sums.AsSpan(label * Dimensions, Dimensions);
        TensorPrimitives.Add(sum, point, sum);
        counts[label]++;
    }

    /// <summary>MLlib's rule: when the smallest weight is below 1e-8 of the largest, the largest cluster is split into two centers a hair apart, each with half the weight.</summary>
    private static void SplitDyingCluster(double[] centers, double[] weights, int dimensions)
    {
        // Scala's maxBy/minBy: the first index holding the extreme value.
        var largest = 0;
        var smallest = 0;
        for (var i = 1; i < weights.Length; i++)
        {
            if (weights[i] > weights[largest])
            {
                largest = i;
            }

            if (weights[i] < weights[smallest])
            {
                smallest = i;
            }
        }

        var maxWeight = weights[largest];
        var minWeight = weights[smallest];
        if (!(minWeight < DyingRatio * maxWeight))
        {
            return;
        }

        var weight = (maxWeight + minWeight) / 2.0;
        weights[largest] = weight;
        weights[smallest] = weight;
        for (var j = 0; j < dimensions; j++)
        {
            var x = centers[(largest * dimensions) + j];
            var p = 1e-14 * Math.Max(Math.Abs(x), 1.0);
            centers[(largest * dimensions) + j] = x + p;
            centers[(smallest * dimensions) + j] = x - p;
        }
    }

    private int Closest(ReadOnlySpan<double> point)
    {
        var best = 0;
        var bestDistance = double.PositiveInfinity;
        for (var i = 0; i < K; i++)
        {
            var distance = SquaredDistance(GetCenter(i), point);
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = i;
            }
        }

        return best;
    }

    /// <summary>The squared Euclidean distance: SIMD for long vectors, a plain loop for short ones (where the call costs more).</summary>
    private static double SquaredDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length >= 8)
        {
            var distance = TensorPrimitives.Distance(a, b);
            return distance * distance;
        }

        var sum = 0.0;
        for (var j = 0; j < a.Length; j++)
        {
            var d = a[j] - b[j];
            sum += d * d;
        }

        return sum;
    }

    private void CheckDimensions(int length)
    {
        if (length != Dimensions)
        {
            throw new ArgumentException($"The point has {length} values but the k-means model has {Dimensions} dimensions; every point needs {Dimensions}.");
        }
    }
}

/// <summary>What a k-means half-life is counted in (MLlib's <c>timeUnit</c>).</summary>
public enum DecayTimeUnit
{
    /// <summary>Batches: the decay factor applies once per batch.</summary>
    Batches,

    /// <summary>Points: the decay factor applies once per point of the batch.</summary>
    Points,
}
