using Pipelines.MachineLearning.State;

namespace Pipelines.MachineLearning.Clustering;

/// <summary>
/// Streaming k-means (MLlib's <c>StreamingKMeans</c>): trains a k-means model on each batch of a stream with
/// one mini-batch step, optionally forgetting old data, and predicts clusters on another stream.
/// </summary>
/// <remarks>
/// <para>
/// The update rule is MLlib's: with decay factor <c>a</c>, a center <c>c</c> of weight <c>n</c> that gets
/// <c>m</c> points of mean <c>x</c> in a batch becomes <c>(c·n·a + x·m) / (n·a + m)</c> and its weight
/// <c>n·a + m</c>; every other weight is discounted to <c>n·a</c>. With <see cref="DecayTimeUnit.Points"/> the
/// discount is <c>a</c> to the power of the batch's number of points. When the smallest weight falls below 1e-8
/// of the largest, that cluster is dying: the largest cluster is split into two centers a hair apart.
/// </para>
/// <para>
/// The model is the state of the training stream: it is saved in checkpoints and restored on recovery, and a
/// failed batch leaves it unchanged. Set the parameters before <see cref="TrainOn"/>.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var kMeans = new StreamingKMeans { K = 3 }
///     .HalfLife(5, DecayTimeUnit.Batches)
///     .RandomCenters(dimensions: 2, weight: 0.0, seed: 42);
/// kMeans.TrainOn(trainingPoints);                         // DStream&lt;double[]&gt;
/// kMeans.PredictOnValues(labeledPoints).Print();          // DStream&lt;(string, double[])&gt; -> (string, int)
/// </code>
/// </example>
public sealed class StreamingKMeans
{
    private readonly object _gate = new();
    private StreamingKMeansModel? _model;
    private int _k = 2;
    private double _decayFactor = 1.0;

    /// <summary>The number of clusters (MLlib's <c>k</c>); default 2.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public int K
    {
        get => _k;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _k = value;
        }
    }

    /// <summary>
    /// How much of the past the model keeps at each step (MLlib's <c>decayFactor</c>): 1 (the default) weighs all
    /// batches equally, 0 keeps only the newest data.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not a number.</exception>
    public double DecayFactor
    {
        get => _decayFactor;
        set
        {
            if (!(value >= 0))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The decay factor must be a non-negative number (1 keeps all the past, 0 none of it).");
            }

            _decayFactor = value;
        }
    }

    /// <summary>What the decay factor applies to: each batch (the default) or each point.</summary>
    public DecayTimeUnit TimeUnit { get; set; } = DecayTimeUnit.Batches;

    /// <summary>
    /// The latest model: the initial one until a training batch completes, then the model after the last
    /// completed batch. After recovery from a checkpoint, the restored model shows here once the first batch
    /// after the restart completes.
    /// </summary>
    /// <exception cref="InvalidOperationException">No initial centers were set.</exception>
    public StreamingKMeansModel LatestModel
    {
        get
        {
            lock (_gate)
            {
                return _model ?? throw NotInitialized();
            }
        }
    }

    /// <summary>
    /// Sets the decay factor from a half-life (MLlib's <c>setHalfLife</c>): data that arrived
    /// <paramref name="halfLife"/> batches or points ago weighs half as much as new data.
    /// </summary>
    /// <returns>This instance.</returns>
    public StreamingKMeans HalfLife(double halfLife, DecayTimeUnit timeUnit)
    {
        if (!(halfLife > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(halfLife), halfLife, "The half-life must be positive.");
        }

        if (!Enum.IsDefined(timeUnit))
        {
            throw new ArgumentOutOfRangeException(nameof(timeUnit), timeUnit, "The time unit must be Batches or Points.");
        }

        DecayFactor = Math.Exp(Math.Log(0.5) / halfLife);
        TimeUnit = timeUnit;
        return this;
    }

    /// <summary>Starts from the given centers and weights (MLlib's <c>setInitialCenters</c>); sets <see cref="K"/> to their number.</summary>
    /// <returns>This instance.</returns>
    public StreamingKMeans InitialCenters(double[][] centers, double[] weights)
    {
        var model = new StreamingKMeansModel(centers, weights);
        lock (_gate)
        {
            _model = model;
            _k = model.K;
        }

        return this;
    }

    /// <summary>
    /// Starts from <see cref="K"/> random centers whose coordinates are drawn from a standard normal distribution
    /// with <paramref name="seed"/>, each with <paramref name="weight"/> (MLlib's <c>setRandomCenters</c>).
    /// </summary>
    /// <returns>This instance.</returns>
    public StreamingKMeans RandomCenters(int dimensions, double weight, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        var random = new GaussianRandom(seed);
        var centers = new double[K][];
        for (var i = 0; i < centers.Length; i++)
        {
            centers[i] = new double[dimensions];
            for (var j = 0; j < dimensions; j++)
            {
                centers[i][j] = random.NextGaussian();
            }
        }

        var weights = new double[K];
        Array.Fill(weights, weight);
        return InitialCenters(centers, weights);
    }

    /// <summary>
    /// Trains the model on every batch of <paramref name="data"/> (MLlib's <c>trainOn</c>); registers an output
    /// operation. Every batch, empty ones included, is one update step, so the decay applies to empty batches too.
    /// </summary>
    /// <exception cref="InvalidOperationException">No initial centers were set.</exception>
    public void TrainOn(DStream<double[]> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var initial = LatestModel;
        var decayFactor = DecayFactor;
        var timeUnit = TimeUnit;
        ModelState.Train<double[], StreamingKMeansModel>(
            data,
            initial,
            (model, points) => model.Update(points, decayFactor, timeUnit),
            model =>
            {
                lock (_gate)
                {
                    _model = model;
                }
            });
    }

    /// <summary>The index of the closest center of the latest model for each point (MLlib's <c>predictOn</c>).</summary>
    /// <exception cref="InvalidOperationException">No initial centers were set.</exception>
    public DStream<int> PredictOn(DStream<double[]> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        _ = LatestModel;
        return data.Transform(batch => Predict(batch, static point => point));
    }

    /// <summary>Each key with the index of the closest center of the latest model to its point (MLlib's <c>predictOnValues</c>).</summary>
    /// <exception cref="InvalidOperationException">No initial centers were set.</exception>
    public DStream<(TKey Key, int Cluster)> PredictOnValues<TKey>(DStream<(TKey Key, double[] Point)> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        _ = LatestModel;
        return data.Transform(batch =>
        {
            var clusters = Predict(batch, static pair => pair.Point);
            var result = new (TKey, int)[clusters.Length];
            var records = batch.Span;
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = (records[i].Key, clusters[i]);
            }

            return result;
        });
    }

    private int[] Predict<TRecord>(Batch<TRecord> batch, Func<TRecord, double[]> point)
    {
        var model = LatestModel;
        var records = batch.Span;
        var clusters = new int[records.Length];
        for (var i = 0; i < clusters.Length; i++)
        {
            clusters[i] = model.Predict(point(records[i]));
        }

        return clusters;
    }

    private static InvalidOperationException NotInitialized() =>
        new("The k-means model has no centers yet: call InitialCenters or RandomCenters before TrainOn, PredictOn or LatestModel.");
}
