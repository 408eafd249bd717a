using System.ComponentModel;
using Pipelines.Operators;
using Pipelines.Partitioning;

namespace Pipelines.Compilation;

/// <summary>
/// Creates the streams of generated <c>Compile…</c> methods: a <see cref="DStream{T}"/> whose batch at each time
/// is computed by a generated stage object from its parents' batches at that time. Called by generated code only.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class CompiledStream
{
    /// <summary>
    /// A stream whose batch at each time is what <paramref name="stage"/> computes from <paramref name="parent"/>'s
    /// batch at that time; no batch when the parent has none.
    /// </summary>
    /// <param name="parent">The input stream.</param>
    /// <param name="name">The stream's name, used in errors (e.g. <c>WordCount.Compile</c>).</param>
    /// <param name="stage">The generated stage; it must not be shared with another stream.</param>
    public static DStream<TOut> Create<TIn, TOut>(DStream<TIn> parent, string name, IBatchStage<TIn, TOut> stage)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(stage);
        var builder = new BatchBuilder<TOut>(0);
        builder.RecycleBatches(); // the stream releases each batch when it forgets it: the batch objects are reused
        return new TransformedDStream<TIn, TOut>(parent, name, (batch, _) =>
        {
            try
            {
                stage.Process(batch, builder);
            }
            catch
            {
                Discard(builder);
                throw;
            }

            return builder.ToBatch();
        });
    }

    /// <summary>
    /// A stream whose batch at each time is what <paramref name="stage"/> computes from the batches of
    /// <paramref name="left"/> and <paramref name="right"/> at that time (an absent batch is passed as empty);
    /// no batch when neither has one.
    /// </summary>
    /// <param name="left">The first input stream.</param>
    /// <param name="right">The second input stream (same context and slide as <paramref name="left"/>).</param>
    /// <param name="name">The stream's name, used in errors.</param>
    /// <param name="stage">The generated stage; it must not be shared with another stream.</param>
    public static DStream<TOut> Create<TLeft, TRight, TOut>(DStream<TLeft> left, DStream<TRight> right, string name, IBatchStage<TLeft, TRight, TOut> stage)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(stage);
        var builder = new BatchBuilder<TOut>(0);
        builder.RecycleBatches(); // the stream releases each batch when it forgets it: the batch objects are reused
        return new BinaryTransformedDStream<TLeft, TRight, TOut>(left, right, name, (l, r, _) =>
        {
            try
            {
                stage.Process(l, r, builder);
            }
            catch
            {
                Discard(builder);
                throw;
            }

            return builder.ToBatch();
        });
    }

    /// <summary>
    /// A stream computed by a generated stage whose every output partition depends only on the same input partition
    /// (only narrow operators): with <see cref="StreamingOptions.Parallelism"/> above 1, the partitions of a batch run
    /// at the same time, each on a stage instance of its own (instances are pooled and reused across batches);
    /// otherwise <paramref name="stage"/> runs the whole batch on the job thread.
    /// </summary>
    /// <param name="parent">The input stream.</param>
    /// <param name="name">The stream's name, used in errors.</param>
    /// <param name="stage">The stage that runs whole batches when the parallelism is 1.</param>
    /// <param name="createStage">Creates further instances of the same stage, one per partition running at once.</param>
    public static DStream<TOut> CreatePartitioned<TIn, TOut>(DStream<TIn> parent, string name, IBatchStage<TIn, TOut> stage, Func<IBatchStage<TIn, TOut>> createStage)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(createStage);
        var parallelism = parent.Context.Options.Parallelism;
        if (parallelism == 1)
        {
            return Create(parent, name, stage);
        }

        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(stage);
        var runner = new PartitionedStageRunner<TIn, TOut>(createStage);
        var builder = new BatchBuilder<TOut>(0);
        builder.RecycleBatches(); // the stream releases each batch when it forgets it: the batch objects are reused
        return new TransformedDStream<TIn, TOut>(parent, name, (batch, _) =>
        {
            if (batch.PartitionCount == 1 || batch.Count < PartitionLoop.MinRecordsForParallelRun)
            {
                Run(stage, batch, builder);
                return builder.ToBatch();
            }

            try
            {
                runner.Run(batch, parallelism);
                runner.MoveOutputsTo(builder, batch.PartitionCount);
            }
            catch
            {
                Discard(builder);
                throw;
            }

            return builder.ToBatch();
        });
    }

    /// <summary>
    /// The merge of a compiled <c>GroupByKey</c>'s partial groups on the reduce side: the values of
    /// <paramref name="first"/>, then those of <paramref name="second"/> (input-partition order, as the interpreted
    /// operator keeps). A <see cref="List{T}"/> made by the generated map side is extended in place and returned.
    /// </summary>
    /// <typeparam name="T">The grouped values' type.</typeparam>
    /// <param name="first">The values of the earlier input partitions.</param>
    /// <param name="second">The values of the next input partition.</param>
    public static IReadOnlyList<T> ConcatGroups<T>(IReadOnlyList<T> first, IReadOnlyList<T> second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var merged = first as List<T> ?? new List<T>(first);
        merged.AddRange(second);
        return merged;
    }

    /// <summary>
    /// A stream computed by a generated stage that ends with a keyed shuffle (ReduceByKey, CountByValue,
    /// CombineByKey, GroupByKey) followed only by narrow operators. With <see cref="StreamingOptions.Parallelism"/> above 1:
    /// <paramref name="createMapSide"/>'s stages run once per input partition into partition-local tables, their
    /// partial (key, value) results go to <see cref="StreamingOptions.Parallelism"/> partitions by key hash, and
    /// <paramref name="createReduceSide"/>'s stages merge each partition's partial results at the same time.
    /// Otherwise <paramref name="stage"/> (the whole chain fused) runs each batch on the job thread.
    /// </summary>
    /// <param name="parent">The input stream.</param>
    /// <param name="name">The stream's name, used in errors.</param>
    /// <param name="stage">The fused stage of the whole chain, used when the parallelism is 1.</param>
    /// <param name="createMapSide">Creates a stage from the input to the shuffle's partial results of one partition.</param>
    /// <param name="createReduceSide">Creates a stage that merges partial results by key and runs the rest of the chain.</param>
    public static DStream<TOut> CreateShuffled<TIn, TKey, TValue, TOut>(
        DStream<TIn> parent,
        string name,
        IBatchStage<TIn, TOut> stage,
        Func<IBatchStage<TIn, (TKey, TValue)>> createMapSide,
        Func<IBatchStage<(TKey, TValue), TOut>> createReduceSide)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(createMapSide);
        ArgumentNullException.ThrowIfNull(createReduceSide);
        var parallelism = parent.Context.Options.Parallelism;
        if (parallelism == 1)
        {
            return Create(parent, name, stage);
        }

        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(stage);
        var runner = new ShuffledStageRunner<TIn, TKey, TValue, TOut>(createMapSide, createReduceSide, parallelism);
        var builder = new BatchBuilder<TOut>(0);
        builder.RecycleBatches(); // the stream releases each batch when it forgets it: the batch objects are reused
        return new TransformedDStream<TIn, TOut>(parent, name, (batch, _) =>
        {
            // One partition or a small batch: the fused stage on the job thread (same records, one partition).
            if (batch.PartitionCount == 1 || batch.Count < PartitionLoop.MinRecordsForParallelRun)
            {
                Run(stage, batch, builder);
                return builder.ToBatch();
            }

            try
            {
                runner.Process(batch, builder, parallelism);
            }
            catch
            {
                Discard(builder);
                throw;
            }

            return builder.ToBatch();
        });
    }

    private static void Run<TIn, TOut>(IBatchStage<TIn, TOut> stage, Batch<TIn> batch, BatchBuilder<TOut> builder)
    {
        try
        {
            stage.Process(batch, builder);
        }
        catch
        {
            Discard(builder);
            throw;
        }
    }

    /// <summary>Drops what a failed stage added, so the next batch starts from an empty builder.</summary>
    private static void Discard<T>(BatchBuilder<T> builder) => builder.ToBatch().Release();
}
