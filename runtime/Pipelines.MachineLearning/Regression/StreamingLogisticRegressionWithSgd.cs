namespace Pipelines.MachineLearning.Regression;

/// <summary>
/// Streaming binary logistic regression with mini-batch SGD and L2 regularization (MLlib's
/// <c>StreamingLogisticRegressionWithSGD</c>): labels are 0 or 1; each non-empty batch runs
/// <see cref="StreamingLinearAlgorithm{TModel}.NumIterations"/> SGD iterations from the last model's weights.
/// Predictions are 0 or 1 at the model's threshold (0.5). No intercept is fitted.
/// </summary>
/// <example>
/// <code>
/// var classifier = new StreamingLogisticRegressionWithSgd { StepSize = 0.2, NumIterations = 25 }.InitialWeights(0.0);
/// classifier.TrainOn(trainingPoints);
/// classifier.PredictOn(testFeatures).Print();
/// </code>
/// </example>
public sealed class StreamingLogisticRegressionWithSgd : StreamingLinearAlgorithm<LogisticRegressionModel>
{
    private double _regParam;

    /// <summary>The L2 regularization parameter (MLlib's <c>regParam</c>; default 0).</summary>
    public double RegParam
    {
        get => _regParam;
        set => _regParam = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The regularization parameter must not be negative.");
    }

    /// <summary>Starts from these weights (MLlib's <c>setInitialWeights</c>); the points need as many features.</summary>
    /// <returns>This instance.</returns>
    public StreamingLogisticRegressionWithSgd InitialWeights(params double[] weights)
    {
        SetModel(new LogisticRegressionModel(weights, 0.0));
        return this;
    }

    private protected override SgdSettings Settings() => Settings(LossKind.Logistic, RegParam);

    private protected override LogisticRegressionModel CreateModel(double[] weights, LogisticRegressionModel previous) =>
        new(weights, previous.Intercept, previous.Threshold);

    private protected override IReadOnlyList<LabeledPoint> Validate(IReadOnlyList<LabeledPoint> points)
    {
        for (var i = 0; i < points.Count; i++)
        {
            var label = points[i].Label;
            if (label is not (0.0 or 1.0))
            {
                throw new ArgumentException($"Logistic regression needs labels 0 or 1, but a point has label {label}; map the classes to 0 and 1 first.");
            }
        }

        return points;
    }
}
