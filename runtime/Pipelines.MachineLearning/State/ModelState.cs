namespace Pipelines.MachineLearning.State;

/// <summary>
/// Keeps a streaming model as the state of one key of <c>UpdateStateByKey</c>, so the runtime saves it in
/// checkpoints and restores it on recovery like any keyed state: each batch folds its records into the previous
/// model, and a failed batch leaves the model as it was.
/// </summary>
internal static class ModelState
{
    /// <summary>The one key the model lives under.</summary>
    private const int ModelKey = 0;

    /// <summary>
    /// Registers the training of <paramref name="initial"/> on <paramref name="data"/>: at every batch (empty ones
    /// too), <paramref name="update"/> gets the previous model and the batch's records and returns the next model
    /// (a new object: the previous one may still be in a checkpoint being written). <paramref name="publish"/> sees
    /// each batch's model once the batch's state is computed.
    /// </summary>
    public static void Train<TRecord, TModel>(
        DStream<TRecord> data,
        TModel initial,
        Func<TModel, IReadOnlyList<TRecord>, TModel> update,
        Action<TModel> publish)
        where TModel : class
    {
        var models = States(data, initial, update);
        models.ForEachBatch((batch, _) =>
        {
            foreach (var (_, model) in batch.Span)
            {
                publish(model);
            }
        });
    }

    /// <summary>The stream of the model after each batch (one record per batch), without an output.</summary>
    public static DStream<(int Key, TModel State)> States<TRecord, TModel>(
        DStream<TRecord> data,
        TModel initial,
        Func<TModel, IReadOnlyList<TRecord>, TModel> update)
        where TModel : class =>
        data.Map(static record => (ModelKey, record))
            .UpdateStateByKey<int, TRecord, TModel>(
                (_, _, records, model) => Optional.Of(update(model.HasValue ? model.Value : initial, records)),
                [(ModelKey, initial)]);
}
