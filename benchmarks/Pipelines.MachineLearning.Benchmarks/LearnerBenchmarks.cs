using BenchmarkDotNet.Attributes;
using Pipelines.MachineLearning.Clustering;
using Pipelines.MachineLearning.Regression;

namespace Pipelines.MachineLearning.Benchmarks;

/// <summary>
/// One StreamingKMeans update step (assign each point to its closest center, sum per cluster, move the centers)
/// on a batch of 100,000 points, single-threaded: points/s per core = 100,000 / mean.
/// </summary>
[MemoryDiagnoser]
public class KMeansUpdateBenchmarks
{
    private const int Points = 100_000;
    private StreamingKMeansModel _model = null!;
    private double[][] _points = [];

    /// <summary>Number of clusters.</summary>
    [Params(2, 10)]
    public int K { get; set; }

    /// <summary>Dimensions of a point.</summary>
    [Params(2, 16)]
    public int Dimensions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _points = new double[Points][];
        for (var i = 0; i < Points; i++)
        {
            _points[i] = new double[Dimensions];
            for (var j = 0; j < Dimensions; j++)
            {
                _points[i][j] = (random.NextDouble() * 10) + (i % K * 20);
            }
        }

        _model = new StreamingKMeans { K = K }.RandomCenters(Dimensions, 0.0, seed: 1).LatestModel;
    }

    [Benchmark(OperationsPerInvoke = Points)]
    public StreamingKMeansModel UpdatePerPoint() => _model.Update(_points, 0.9, DecayTimeUnit.Batches);
}

/// <summary>
/// One mini-batch SGD iteration (MiniBatchFraction 1) over a batch of 100,000 points, single-threaded, for
/// least squares and logistic loss: points/s per core = 100,000 / mean.
/// </summary>
[MemoryDiagnoser]
public class SgdStepBenchmarks
{
    private const int Points = 100_000;
    private LabeledPoint[] _points = [];
    private double[] _weights = [];
    private SgdSettings _leastSquares;
    private SgdSettings _logistic;

    /// <summary>Number of features.</summary>
    [Params(2, 16)]
    public int Features { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _points = new LabeledPoint[Points];
        for (var i = 0; i < Points; i++)
        {
            var features = new double[Features];
            for (var j = 0; j < Features; j++)
            {
                features[j] = (random.NextDouble() * 2) - 1;
            }

            _points[i] = new LabeledPoint(random.Next(2), features);
        }

        _weights = new double[Features];
        _leastSquares = new SgdSettings(LossKind.LeastSquares, 0.1, 1, 1.0, 0.0, 0.0, 42);
        _logistic = new SgdSettings(LossKind.Logistic, 0.1, 1, 1.0, 0.01, 0.0, 42);
    }

    [Benchmark(OperationsPerInvoke = Points)]
    public double[] LeastSquaresStepPerPoint() => GradientDescent.Run(_points, _weights, _leastSquares);

    [Benchmark(OperationsPerInvoke = Points)]
    public double[] LogisticStepPerPoint() => GradientDescent.Run(_points, _weights, _logistic);
}
