using Pipelines.MachineLearning.Regression;

namespace Pipelines.MachineLearning.Tests;

/// <summary>Seeded data generators, ported from MLlib's test suites (their shapes, not their random streams).</summary>
internal static class TestData
{
    /// <summary>Standard normal numbers from a seeded <see cref="Random"/> (Box-Muller, polar form).</summary>
    public sealed class Normal(int seed)
    {
        private readonly Random _random = new(seed);

        public double NextDouble() => _random.NextDouble();

        public double Next()
        {
            double u, v, s;
            do
            {
                u = (2 * _random.NextDouble()) - 1;
                v = (2 * _random.NextDouble()) - 1;
                s = (u * u) + (v * v);
            }
            while (s >= 1 || s == 0);

            return u * Math.Sqrt(-2 * Math.Log(s) / s);
        }
    }

    /// <summary>
    /// MLlib's <c>StreamingKMeansDataGenerator</c>: <paramref name="k"/> centers drawn from a standard normal (or
    /// given), and batches of points where point i is center (i mod k) plus normal noise of scale <paramref name="r"/>.
    /// </summary>
    public static (double[][][] Batches, double[][] Centers) KMeansData(int numPoints, int numBatches, int k, int d, double r, int seed, double[][]? initialCenters = null)
    {
        var random = new JavaRandom.XorShift(seed);
        var centers = initialCenters ?? Enumerable.Range(0, k).Select(_ => Enumerable.Range(0, d).Select(_ => random.NextGaussian()).ToArray()).ToArray();
        var batches = new double[numBatches][][];
        for (var b = 0; b < numBatches; b++)
        {
            batches[b] = new double[numPoints][];
            for (var i = 0; i < numPoints; i++)
            {
                var center = centers[i % k];
                batches[b][i] = Enumerable.Range(0, d).Select(x => center[x] + (random.NextGaussian() * r)).ToArray();
            }
        }

        return (batches, centers);
    }

    /// <summary>
    /// MLlib's <c>LinearDataGenerator.generateLinearInput</c>: features uniform in [-1, 1] (mean 0, variance 1/3),
    /// label = intercept + w·x + eps·N(0, 1).
    /// </summary>
    public static LabeledPoint[] LinearInput(double intercept, double[] weights, int nPoints, int seed, double eps = 0.1)
    {
        var random = new JavaRandom(seed);
        var points = new LabeledPoint[nPoints];
        for (var i = 0; i < nPoints; i++)
        {
            var features = new double[weights.Length];
            var dot = 0.0;
            for (var j = 0; j < weights.Length; j++)
            {
                features[j] = (random.NextDouble() - 0.5) * Math.Sqrt(12.0 * (1.0 / 3.0));
                dot += weights[j] * features[j];
            }

            points[i] = new LabeledPoint(dot + intercept + (eps * random.NextGaussian()), features);
        }

        return points;
    }

    /// <summary>
    /// MLlib's <c>LogisticRegressionSuite.generateLogisticInput</c>: x ~ N(0, 1), label 1 with probability
    /// 1 / (1 + exp(-(offset + scale·x))).
    /// </summary>
    public static LabeledPoint[] LogisticInput(double offset, double scale, int nPoints, int seed)
    {
        var random = new JavaRandom(seed);
        var x = Enumerable.Range(0, nPoints).Select(_ => random.NextGaussian()).ToArray();
        var points = new LabeledPoint[nPoints];
        for (var i = 0; i < nPoints; i++)
        {
            var p = 1.0 / (1.0 + Math.Exp(-(offset + (scale * x[i]))));
            points[i] = new LabeledPoint(random.NextDouble() < p ? 1.0 : 0.0, [x[i]]);
        }

        return points;
    }

    public static double SquaredDistance(double[] a, double[] b) => a.Zip(b, (x, y) => (x - y) * (x - y)).Sum();
}
