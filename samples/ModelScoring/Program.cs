using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.ML;
using Pipelines;
using Pipelines.MachineLearning.Scoring;

// Scores a stream with an ML.NET model trained at start-up (no download): a logistic regression that tells
// whether a transaction is suspicious from its amount and hour. Each batch partition goes through one batched
// ITransformer.Transform.
//   dotnet run --project samples/ModelScoring                   5 batches of 500 ms
//   dotnet run --project samples/ModelScoring -- --batches 20   run longer
var batches = args is ["--batches", var n] && int.TryParse(n, CultureInfo.InvariantCulture, out var parsed) ? parsed : 5;

var mlContext = new MLContext(seed: 1);
var model = TrainModel(mlContext);

await using var ssc = new StreamingContext(TimeSpan.FromMilliseconds(500));
var incoming = new ConcurrentQueue<IEnumerable<Transaction>>();
var random = new Random(3);

var scored = ssc.QueueStream(incoming).Repartition(2).Predict<Transaction, ScoredTransaction>(mlContext, model);

var completed = 0;
var done = new TaskCompletionSource();
scored.ForEachBatch((batch, time) =>
{
    var flagged = batch.Where(t => t.PredictedLabel).ToArray();
    Console.WriteLine($"batch {time}: {batch.Count} transactions, {flagged.Length} flagged");
    foreach (var t in flagged.Take(3))
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {t.Amount,8:F2} at {t.Hour,4:F0}h  p={t.Probability:F3}"));
    }

    incoming.Enqueue(Generate(random, 100));
    if (Interlocked.Increment(ref completed) >= batches)
    {
        done.TrySetResult();
    }
});

incoming.Enqueue(Generate(random, 100));
ssc.Start();
await Task.WhenAny(done.Task, ssc.AwaitTerminationAsync());
await ssc.StopAsync(graceful: true);
return 0;

static ITransformer TrainModel(MLContext mlContext)
{
    var training = Generate(new Random(1), 2_000);
    var pipeline = mlContext.Transforms.Concatenate("Features", nameof(Transaction.Amount), nameof(Transaction.Hour))
        .Append(mlContext.Transforms.NormalizeMinMax("Features"))
        .Append(mlContext.BinaryClassification.Trainers.SdcaLogisticRegression(labelColumnName: nameof(Transaction.Label)));
    return pipeline.Fit(mlContext.Data.LoadFromEnumerable(training));
}

static Transaction[] Generate(Random random, int count) =>
    Enumerable.Range(0, count).Select(_ =>
    {
        var amount = (float)(random.NextDouble() * 1_000);
        var hour = (float)random.Next(24);
        var suspicious = amount > 700 && (hour < 6 || hour > 22);
        return new Transaction { Amount = amount, Hour = hour, Label = suspicious };
    }).ToArray();

/// <summary>A transaction: the model's input.</summary>
internal sealed class Transaction
{
    public float Amount { get; set; }

    public float Hour { get; set; }

    public bool Label { get; set; }
}

/// <summary>A scored transaction: the input columns and the model's outputs.</summary>
internal sealed class ScoredTransaction
{
    public float Amount { get; set; }

    public float Hour { get; set; }

    public bool PredictedLabel { get; set; }

    public float Probability { get; set; }
}
