using Microsoft.ML;

namespace Pipelines.MachineLearning.Scoring;

/// <summary>Scores streams with trained ML.NET models.</summary>
public static class ModelScoringExtensions
{
    /// <summary>
    /// Scores every record with <paramref name="model"/>: each partition of each batch becomes one
    /// <see cref="IDataView"/> that goes through one <see cref="ITransformer.Transform"/> (a batched transform, not a
    /// <c>PredictionEngine</c> call per record), and the scored rows come back as <typeparamref name="TOutput"/>
    /// objects, in input order.
    /// </summary>
    /// <typeparam name="TInput">The input class: its public fields and properties are the model's input columns.</typeparam>
    /// <typeparam name="TOutput">The output class: its public fields and properties name the columns to read (e.g. <c>PredictedLabel</c>, <c>Score</c>).</typeparam>
    /// <param name="stream">The records to score.</param>
    /// <param name="mlContext">The ML.NET context the model was trained or loaded with.</param>
    /// <param name="model">The trained model.</param>
    /// <example>
    /// <code>
    /// var mlContext = new MLContext(seed: 1);
    /// ITransformer model = pipeline.Fit(mlContext.Data.LoadFromEnumerable(trainingRows));
    /// DStream&lt;SentimentPrediction&gt; scored = reviews.Predict&lt;Review, SentimentPrediction&gt;(mlContext, model);
    /// </code>
    /// </example>
    public static DStream<TOutput> Predict<TInput, TOutput>(this DStream<TInput> stream, MLContext mlContext, ITransformer model)
        where TInput : class
        where TOutput : class, new()
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(model);
        return stream.Transform(batch =>
        {
            var scored = new List<TOutput>(batch.Count);
            for (var p = 0; p < batch.PartitionCount; p++)
            {
                var partition = batch.GetPartition(p);
                if (partition.IsEmpty)
                {
                    continue;
                }

                var rows = mlContext.Data.LoadFromEnumerable(partition.ToArray());
                var transformed = model.Transform(rows);
                scored.AddRange(mlContext.Data.CreateEnumerable<TOutput>(transformed, reuseRowObject: false));
            }

            return scored;
        });
    }
}
