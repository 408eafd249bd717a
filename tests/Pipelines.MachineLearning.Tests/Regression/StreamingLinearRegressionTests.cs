using Pipelines.MachineLearning.Regression;
using Pipelines.Testing;

namespace Pipelines.MachineLearning.Tests.Regression;

/// <summary>Ported from MLlib's StreamingLinearRegressionSuite, with its tolerances.</summary>
public sealed class StreamingLinearRegressionTests
{
    private static LabeledPoint[][] Batches(double[] weights, int numBatches, int nPoints = 100) =>
        Enumerable.Range(0, numBatches).Select(i => TestData.LinearInput(0.0, weights, nPoints, 42 * (i + 1))).ToArray();

    private static void AssertEqual(double expected, double actual, double epsilon) =>
        Assert.True(Math.Abs(expected - actual) <= epsilon, $"{actual} did not equal {expected} within {epsilon}.");

    [Fact]
    public void Learns_Y_equals_10_X1_plus_10_X2_accurately()
    {
        var model = new StreamingLinearRegressionWithSgd { StepSize = 0.2, NumIterations = 25, ConvergenceTolerance = 0.0001 }.InitialWeights(0.0, 0.0);
        var input = Batches([10.0, 10.0], 10);

        StreamingTest.Run(input, data =>
        {
            model.TrainOn(data);
            return data.Count();
        }, input.Length);

        var latest = model.LatestModel;
        AssertEqual(0.0, latest.Intercept, 0.1);
        AssertEqual(10.0, latest.Weights[0], 0.1);
        AssertEqual(10.0, latest.Weights[1], 0.1);

        // At least 80% of the predictions are within 0.5 of the label.
        var validation = TestData.LinearInput(0.0, [10.0, 10.0], 100, 17);
        var off = validation.Count(p => Math.Abs(latest.Predict(p.Features) - p.Label) > 0.5);
        Assert.True(off < validation.Length / 5, $"{off} predictions were off by more than 0.5.");
    }

    [Fact]
    public void Parameter_estimates_improve_batch_by_batch()
    {
        var model = new StreamingLinearRegressionWithSgd { StepSize = 0.2, NumIterations = 25, ConvergenceTolerance = 0.0001 }.InitialWeights(0.0);
        var input = Batches([10.0], 10);
        var history = new List<double>();

        StreamingTest.Run(input, data =>
        {
            model.TrainOn(data);
            data.ForEachBatch((_, _) => history.Add(Math.Abs(model.LatestModel.Weights[0] - 10.0)));
            return data.Count();
        }, input.Length);

        var deltas = history.Skip(1).Zip(history, (now, before) => now - before).ToArray();
        // The error always shrinks or grows by less than 0.1, and shrinks on at least 2 batches.
        Assert.All(deltas, delta => Assert.True(delta <= 0.1, $"The error grew by {delta}."));
        Assert.True(deltas.Count(delta => delta < 0) > 1);
    }

    [Fact]
    public void Predictions_with_the_true_weights_have_a_small_mean_error()
    {
        const int nPoints = 100;
        var model = new StreamingLinearRegressionWithSgd { StepSize = 0.2, NumIterations = 25 }.InitialWeights(10.0, 10.0);
        var input = Batches([10.0, 10.0], 10, nPoints);

        var output = StreamingTest.Run(input, data => model.PredictOnValues(data.Map(p => (p.Label, p.Features))), input.Length);

        Assert.Equal(10, output.Count);
        Assert.All(output, batch => Assert.True(batch.Sum(p => Math.Abs(p.Key - p.Prediction)) / nPoints <= 0.1));
    }

    [Fact]
    public void Training_with_prediction_uses_the_updated_model()
    {
        const int nPoints = 100;
        var model = new StreamingLinearRegressionWithSgd { StepSize = 0.2, NumIterations = 25 }.InitialWeights(0.0, 0.0);
        var input = Batches([10.0, 10.0], 10, nPoints);

        var output = StreamingTest.Run(input, data =>
        {
            model.TrainOn(data);
            return model.PredictOnValues(data.Map(p => (p.Label, p.Features)));
        }, input.Length);

        var errors = output.Select(batch => batch.Sum(p => Math.Abs(p.Key - p.Prediction)) / nPoints).ToArray();
        Assert.True(errors[0] - errors[^1] > 2, $"Errors went from {errors[0]} to {errors[^1]}.");
    }

    [Fact]
    public void Empty_batches_leave_the_model_alone()
    {
        var model = new StreamingLinearRegressionWithSgd { StepSize = 0.2, NumIterations = 25 }.InitialWeights(0.5, -0.5);

        var output = StreamingTest.Run(Array.Empty<LabeledPoint[]>(), data =>
        {
            model.TrainOn(data);
            return model.PredictOnValues(data.Map(p => (p.Label, p.Features)));
        }, 10);

        Assert.All(output, batch => Assert.Empty(batch));
        Assert.Equal([0.5, -0.5], model.LatestModel.Weights);
    }

    [Fact]
    public void One_step_follows_MLlibs_gradient_descent_by_hand()
    {
        // One point x = (1, 2), y = 3, w0 = (0, 0): gradient = (0 - 3)·x = (-3, -6); step 0.1 / sqrt(1).
        var model = new StreamingLinearRegressionWithSgd { StepSize = 0.1, NumIterations = 1 }.InitialWeights(0.0, 0.0);
        StreamingTest.Run([[new LabeledPoint(3.0, [1.0, 2.0])]], data =>
        {
            model.TrainOn(data);
            return data.Count();
        }, 1);
        Assert.Equal([0.3, 0.6], model.LatestModel.Weights.Select(w => Math.Round(w, 12)));

        // A second iteration steps by 0.1 / sqrt(2) along the new gradient: w·x = 1.5, gradient = -1.5·x.
        var two = new StreamingLinearRegressionWithSgd { StepSize = 0.1, NumIterations = 2, ConvergenceTolerance = 0 }.InitialWeights(0.0, 0.0);
        StreamingTest.Run([[new LabeledPoint(3.0, [1.0, 2.0])]], data =>
        {
            two.TrainOn(data);
            return data.Count();
        }, 1);
        var step = 0.1 / Math.Sqrt(2);
        Assert.Equal(0.3 + (step * 1.5), two.LatestModel.Weights[0], 12);
        Assert.Equal(0.6 + (step * 3.0), two.LatestModel.Weights[1], 12);
    }

    [Fact]
    public void Mini_batch_sampling_is_reproducible_for_a_seed_and_changes_with_it()
    {
        double[] Train(int seed)
        {
            var model = new StreamingLinearRegressionWithSgd { StepSize = 0.2, NumIterations = 10, MiniBatchFraction = 0.3, Seed = seed }.InitialWeights(0.0, 0.0);
            StreamingTest.Run(Batches([10.0, 10.0], 3), data =>
            {
                model.TrainOn(data);
                return data.Count();
            }, 3);
            return model.LatestModel.Weights;
        }

        Assert.Equal(Train(42), Train(42));
        Assert.NotEqual(Train(42), Train(43));
    }
}
