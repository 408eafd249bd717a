using System.Numerics.Tensors;

namespace Pipelines.MachineLearning.Regression;

/// <summary>The loss whose gradient SGD follows.</summary>
internal enum LossKind
{
    /// <summary>MLlib's <c>LeastSquaresGradient</c>: (w·x - y)² / 2, gradient (w·x - y)·x.</summary>
    LeastSquares,

    /// <summary>MLlib's binary <c>LogisticGradient</c>: gradient (1 / (1 + exp(-w·x)) - y)·x.</summary>
    Logistic,
}

/// <summary>The settings of one run of mini-batch SGD.</summary>
internal readonly record struct SgdSettings(
    LossKind Loss,
    double StepSize,
    int NumIterations,
    double MiniBatchFraction,
    double RegParam,
    double ConvergenceTolerance,
    int Seed);

/// <summary>
/// MLlib's <c>GradientDescent.runMiniBatchSGD</c> on one batch: for iteration i = 1..NumIterations, a Bernoulli
/// sample of the batch (fraction <c>MiniBatchFraction</c>, seed <c>Seed + i</c>; the whole batch at fraction 1)
/// gives the mean gradient g, and the weights step by <c>StepSize / sqrt(i)</c>: <c>w -= step·g</c>
/// (<c>SimpleUpdater</c>) or, with a regularization parameter, <c>w = w·(1 - step·RegParam) - step·g</c>
/// (<c>SquaredL2Updater</c>). It stops early when the weights moved less than
/// <c>ConvergenceTolerance·max(‖w‖, 1)</c> between two iterations. No allocation per point.
/// </summary>
internal static class GradientDescent
{
    public static double[] Run(IReadOnlyList<LabeledPoint> data, ReadOnlySpan<double> initialWeights, in SgdSettings settings)
    {
        var n = initialWeights.Length;
        var weights = initialWeights.ToArray();
        if (data.Count == 0)
        {
            return weights;
        }

        var points = PointSpan.TryGet(data, out var span) ? span : data.ToArray();
        var gradient = new double[n];
        var previous = new double[n];
        var hasPrevious = false;
        for (var i = 1; i <= settings.NumIterations; i++)
        {
            Array.Clear(gradient);
            var sampled = 0L;
            var random = settings.MiniBatchFraction >= 1.0 ? null : new Random(settings.Seed + i);
            foreach (ref readonly var point in points)
            {
                if (random is not null && !(random.NextDouble() < settings.MiniBatchFraction))
                {
                    continue;
                }

                var features = point.Features ?? throw new ArgumentException("A labeled point has no features (null).");
                if (features.Length != n)
                {
                    throw new ArgumentException($"The point has {features.Length} features but the model has {n} weights; every point needs {n}.");
                }

                var margin = TensorPrimitives.Dot<double>(features, weights);
                var multiplier = settings.Loss == LossKind.LeastSquares
                    ? margin - point.Label
                    : (1.0 / (1.0 + Math.Exp(-margin))) - point.Label;
                TensorPrimitives.MultiplyAdd<double>(features, multiplier, gradient, gradient);
                sampled++;
            }

            if (sampled == 0)
            {
                continue;
            }

            weights.CopyTo(previous, 0);
            var step = settings.StepSize / Math.Sqrt(i);
            if (settings.RegParam != 0)
            {
                TensorPrimitives.Multiply<double>(weights, 1.0 - (step * settings.RegParam), weights);
            }

            TensorPrimitives.MultiplyAdd<double>(gradient, -step / sampled, weights, weights);
            if (hasPrevious && Converged(previous, weights, settings.ConvergenceTolerance))
            {
                break;
            }

            hasPrevious = true;
        }

        return weights;
    }

    /// <summary>MLlib's <c>isConverged</c>: ‖previous - current‖ &lt; tolerance · max(‖current‖, 1).</summary>
    private static bool Converged(double[] previous, double[] current, double tolerance) =>
        TensorPrimitives.Distance<double>(previous, current) < tolerance * Math.Max(TensorPrimitives.Norm<double>(current), 1.0);
}
