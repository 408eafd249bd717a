namespace Pipelines.MachineLearning.Regression;

/// <summary>A training example (MLlib's <c>LabeledPoint</c>): a label and its features.</summary>
/// <param name="Label">The value to predict (for logistic regression, 0 or 1).</param>
/// <param name="Features">The features; every point of a stream has as many as the model has weights.</param>
public readonly record struct LabeledPoint(double Label, double[] Features);
