using Microsoft.ML;
using Microsoft.ML.Data;
using Pipelines.MachineLearning.Scoring;
using Pipelines.Testing;

namespace Pipelines.MachineLearning.Tests.Scoring;

public sealed class ModelScoringTests
{
    public sealed class Point
    {
        public float X { get; set; }

        public float Y { get; set; }

        public bool Label { get; set; }
    }

    public sealed class Prediction
    {
        public float X { get; set; }

        public bool PredictedLabel { get; set; }

        public float Probability { get; set; }
    }

    private static Point[] Points(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var x = (float)((random.NextDouble() * 4) - 2);
            var y = (float)((random.NextDouble() * 4) - 2);
            return new Point { X = x, Y = y, Label = x + y > 0 };
        }).ToArray();
    }

    /// <summary>A tiny logistic regression trained in memory: label = x + y &gt; 0.</summary>
    private static (MLContext Context, ITransformer Model) Train()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(Points(400, 3));
        var pipeline = mlContext.Transforms.Concatenate("Features", nameof(Point.X), nameof(Point.Y))
            .Append(mlContext.BinaryClassification.Trainers.SdcaLogisticRegression(labelColumnName: nameof(Point.Label)));
        return (mlContext, pipeline.Fit(data));
    }

    [Fact]
    public void Predict_scores_every_record_of_every_partition_as_a_prediction_engine_would()
    {
        var (mlContext, model) = Train();
        var batches = new[] { Points(50, 10), Points(0, 11), Points(37, 12) };

        var output = StreamingTest.Run(batches, points => points.Repartition(3).Predict<Point, Prediction>(mlContext, model), batches.Length);

        var engine = mlContext.Model.CreatePredictionEngine<Point, Prediction>(model);
        Assert.Equal(3, output.Count);
        for (var b = 0; b < batches.Length; b++)
        {
            Assert.Equal(batches[b].Length, output[b].Count);

            // Repartition spreads records round-robin; compare as multisets keyed by the input's X.
            var expected = batches[b].Select(p => engine.Predict(p)).Select(p => (p.X, p.PredictedLabel, p.Probability)).OrderBy(p => p.X);
            var actual = output[b].Select(p => (p.X, p.PredictedLabel, p.Probability)).OrderBy(p => p.X);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void A_model_trained_at_start_up_classifies_a_stream_accurately()
    {
        var (mlContext, model) = Train();
        var test = Points(200, 99);

        var output = StreamingTest.Run([test], points => points.Predict<Point, Prediction>(mlContext, model), 1).Single();

        var correct = output.Zip(test, (prediction, point) => prediction.PredictedLabel == point.Label).Count(ok => ok);
        Assert.True(correct >= 190, $"Only {correct} of 200 were right.");
        Assert.Equal(test.Select(p => p.X), output.Select(p => p.X));
    }
}
