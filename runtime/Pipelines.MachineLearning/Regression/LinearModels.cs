using System.Numerics.Tensors;
using System.Text.Json.Serialization;

namespace Pipelines.MachineLearning.Regression;

/// <summary>
/// A model whose prediction is a function of <c>w·x + intercept</c> (MLlib's <c>GeneralizedLinearModel</c>).
/// Immutable: each training batch makes a new model.
/// </summary>
public abstract class GeneralizedLinearModel
{
    private readonly double[] _weights;

    private protected GeneralizedLinearModel(double[] weights, double intercept)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Length == 0)
        {
            throw new ArgumentException("A linear model needs at least one weight.", nameof(weights));
        }

        _weights = (double[])weights.Clone();
        Intercept = intercept;
    }

    /// <summary>A copy of the weights, one per feature.</summary>
    public double[] Weights => (double[])_weights.Clone();

    /// <summary>The intercept (0 for the streaming SGD learners, which fit none, as MLlib's).</summary>
    public double Intercept { get; }

    /// <summary>The number of features.</summary>
    [JsonIgnore]
    public int NumFeatures => _weights.Length;

    /// <summary>The weights, without copying.</summary>
    [JsonIgnore]
    public ReadOnlySpan<double> WeightsSpan => _weights;

    /// <summary>The prediction for <paramref name="features"/>.</summary>
    /// <exception cref="ArgumentException">The number of features differs from the number of weights.</exception>
    public abstract double Predict(ReadOnlySpan<double> features);

    /// <summary><c>w·x + intercept</c>.</summary>
    private protected double Margin(ReadOnlySpan<double> features)
    {
        CheckFeatures(features.Length);
        return TensorPrimitives.Dot(features, _weights) + Intercept;
    }

    internal void CheckFeatures(int length)
    {
        if (length != _weights.Length)
        {
            throw new ArgumentException($"The point has {length} features but the model has {_weights.Length} weights; every point needs {_weights.Length}.");
        }
    }
}

/// <summary>A linear regression model (MLlib's <c>LinearRegressionModel</c>): predicts <c>w·x + intercept</c>.</summary>
/// <param name="weights">The weights (copied).</param>
/// <param name="intercept">The intercept.</param>
public sealed class LinearRegressionModel(double[] weights, double intercept) : GeneralizedLinearModel(weights, intercept)
{
    /// <inheritdoc/>
    public override double Predict(ReadOnlySpan<double> features) => Margin(features);
}

/// <summary>
/// A binary logistic regression model (MLlib's <c>LogisticRegressionModel</c>): predicts 1 when
/// <c>1 / (1 + exp(-(w·x + intercept)))</c> exceeds <see cref="Threshold"/>, else 0; without a threshold it
/// predicts that probability.
/// </summary>
/// <param name="weights">The weights (copied).</param>
/// <param name="intercept">The intercept.</param>
/// <param name="threshold">The probability above which the prediction is 1 (MLlib's default 0.5); <c>null</c> to predict the probability.</param>
public sealed class LogisticRegressionModel(double[] weights, double intercept, double? threshold = 0.5) : GeneralizedLinearModel(weights, intercept)
{
    /// <summary>The probability above which the prediction is 1; <c>null</c> when the model predicts probabilities.</summary>
    public double? Threshold { get; } = threshold;

    /// <summary>The probability that the label of <paramref name="features"/> is 1.</summary>
    public double PredictProbability(ReadOnlySpan<double> features) => 1.0 / (1.0 + Math.Exp(-Margin(features)));

    /// <inheritdoc/>
    public override double Predict(ReadOnlySpan<double> features)
    {
        var score = PredictProbability(features);
        return Threshold is { } threshold ? (score > threshold ? 1.0 : 0.0) : score;
    }
}
