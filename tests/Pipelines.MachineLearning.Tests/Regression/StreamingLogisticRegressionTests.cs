using Pipelines.MachineLearning.Regression;
using Pipelines.Testing;

namespace Pipelines.MachineLearning.Tests.Regression;

/// <summary>Ported from MLlib's StreamingLogisticRegressionSuite, with its tolerances.</summary>
public sealed class StreamingLogisticRegressionTests
{
    private static LabeledPoint[][] Batches(double scale, int numBatches, int nPoints = 100) =>
        Enumerable.Range(0, numBatches).Select(i => TestData.LogisticInput(0.0, scale, nPoints, 42 * (i + 1))).ToArray();

    [Fact]
    public void Learns_B_of_Y_equals_logistic_BX_accurately()
    {
        const double b = 1.5;
        var model = new StreamingLogisticRegressionWithSgd { StepSize = 0.2, NumIterations = 25 }.InitialWeights(0.0);
        var input = Batches(b, 20);

        StreamingTest.Run(input, data =>
        {
            model.TrainOn(data);
            return data.Count();
        }, input.Length);

        var weight = model.LatestModel.Weights[0];
        Assert.True(Math.Abs(weight - b) <= 0.1 * Math.Abs(b), $"Weight {weight} is not within 10% of {b}.");
    }

    [Fact]
    public void Parameter_estimates_improve_batch_by_batch()
    {
        const double b = 1.5;
        var model = new StreamingLogisticRegressionWithSgd { StepSize = 0.2, NumIterations = 25 }.InitialWeights(0.0);
        var input = Batches(b, 20);
        var history = new List<double>();

        StreamingTest.Run(input, data =>
        {
            model.TrainOn(data);
            data.ForEachBatch((_, _) => history.Add(Math.Abs(model.LatestModel.Weights[0] - b)));
            return data.Count();
        }, input.Length);

        var deltas = history.Skip(1).Zip(history, (now, before) => now - before).ToArray();
        Assert.All(deltas, delta => Assert.True(delta <= 0.1, $"The error grew by {delta}."));
        Assert.True(deltas.Count(delta => delta < 0) > 1);
    }

    [Fact]
    public void Predictions_with_the_true_weight_are_mostly_right()
    {
        const int nPoints = 100;
        var model = new StreamingLogisticRegressionWithSgd { StepSize = 0.2, NumIterations = 25 }.InitialWeights(1.5);
        var input = Batches(1.5, 10, nPoints);

        var output = StreamingTest.Run(input, data => model.PredictOnValues(data.Map(p => (p.Label, p.Features))), input.Length);

        // At least 60% of the predictions are right on every batch.
        Assert.Equal(10, output.Count);
        Assert.All(output, batch => Assert.True(batch.Sum(p => Math.Abs(p.Key - p.Prediction)) / nPoints <= 0.4));
    }

    [Fact]
    public void Training_with_prediction_uses_the_updated_model()
    {
        const int nPoints = 100;
        var model = new StreamingLogisticRegressionWithSgd { StepSize = 0.01, NumIterations = 10 }.InitialWeights(-0.1);
        var input = Batches(5.0, 10, nPoints);

        var output = StreamingTest.Run(input, data =>
        {
            model.TrainOn(data);
            return model.PredictOnValues(data.Map(p => (p.Label, p.Features)));
        }, input.Length);

        var errors = output.Select(batch => batch.Sum(p => Math.Abs(p.Key - p.Prediction)) / nPoints).ToArray();
        Assert.True(errors[0] > 0.8 && errors[^1] < 0.2, $"Errors went from {errors[0]} to {errors[^1]}.");
    }

    [Fact]
    public void Empty_batches_are_handled()
    {
        var model = new StreamingLogisticRegressionWithSgd { StepSize = 0.01, NumIterations = 10 }.InitialWeights(-0.1);

        var output = StreamingTest.Run(Array.Empty<LabeledPoint[]>(), data =>
        {
            model.TrainOn(data);
            return model.PredictOnValues(data.Map(p => (p.Label, p.Features)));
        }, 10);

        Assert.All(output, batch => Assert.Empty(batch));
        Assert.Equal([-0.1], model.LatestModel.Weights);
    }

    [Fact]
    public void Regularization_shrinks_the_weights()
    {
        double Train(double regParam)
        {
            var model = new StreamingLogisticRegressionWithSgd { StepSize = 0.2, NumIterations = 25, RegParam = regParam }.InitialWeights(0.0);
            StreamingTest.Run(Batches(1.5, 5), data =>
            {
                model.TrainOn(data);
                return data.Count();
            }, 5);
            return model.LatestModel.Weights[0];
        }

        Assert.True(Math.Abs(Train(0.5)) < Math.Abs(Train(0.0)));
    }

    [Fact]
    public void A_label_other_than_0_or_1_fails_the_batch_and_says_why()
    {
        var model = new StreamingLogisticRegressionWithSgd().InitialWeights(0.0);
        using var run = StreamingTest.Start<LabeledPoint, long>([[new LabeledPoint(2.0, [1.0])]], data =>
        {
            model.TrainOn(data);
            return data.Count();
        });

        var failure = run.Step().Failure;
        Assert.NotNull(failure);
        Assert.Contains("labels 0 or 1", failure!.ToString(), StringComparison.Ordinal);
        Assert.Equal([0.0], model.LatestModel.Weights);
    }

    [Fact]
    public void The_threshold_turns_probabilities_into_classes()
    {
        var model = new LogisticRegressionModel([2.0], 0.0);
        Assert.Equal(1.0, model.Predict([0.1]));
        Assert.Equal(0.0, model.Predict([-0.1]));
        Assert.Equal(1.0 / (1.0 + Math.Exp(-0.2)), new LogisticRegressionModel([2.0], 0.0, threshold: null).Predict([0.1]), 15);
    }
}
