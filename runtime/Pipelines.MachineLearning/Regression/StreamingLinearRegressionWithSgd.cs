namespace Pipelines.MachineLearning.Regression;

/// <summary>
/// Streaming linear regression by least squares with mini-batch SGD (MLlib's
/// <c>StreamingLinearRegressionWithSGD</c>): each non-empty batch runs <see cref="StreamingLinearAlgorithm{TModel}.NumIterations"/>
/// SGD iterations from the last model's weights. No intercept is fitted (add a constant feature for one).
/// </summary>
/// <example>
/// <code>
/// var regression = new StreamingLinearRegressionWithSgd { StepSize = 0.2, NumIterations = 25 }.InitialWeights(0.0, 0.0);
/// regression.TrainOn(trainingPoints);                                    // DStream&lt;LabeledPoint&gt;
/// regression.PredictOnValues(testPoints.Map(p => (p.Label, p.Features))).Print();
/// </code>
/// </example>
public sealed class StreamingLinearRegressionWithSgd : StreamingLinearAlgorithm<LinearRegressionModel>
{
    /// <summary>Starts from these weights (MLlib's <c>setInitialWeights</c>); the points need as many features.</summary>
    /// <returns>This instance.</returns>
    public StreamingLinearRegressionWithSgd InitialWeights(params double[] weights)
    {
        SetModel(new LinearRegressionModel(weights, 0.0));
        return this;
    }

    private protected override SgdSettings Settings() => Settings(LossKind.LeastSquares, regParam: 0.0);

    private protected override LinearRegressionModel CreateModel(double[] weights, LinearRegressionModel previous) => new(weights, previous.Intercept);
}
