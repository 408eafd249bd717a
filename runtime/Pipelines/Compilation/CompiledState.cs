using System.ComponentModel;
using Pipelines.Partitioning;
using Pipelines.Stateful;

namespace Pipelines.Compilation;

/// <summary>
/// Fuses a generated stage into the keyed state operator after it (<c>UpdateStateByKey</c>, <c>MapWithState</c>):
/// the extension point through which generated code hands its per-batch (key, value) records, e.g. the result of a
/// map-side <c>ReduceByKey</c>, straight to the state's per-batch input. Called by generated code only.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class CompiledState
{
    /// <summary>
    /// A stream of the (key, value) records that <paramref name="stage"/> computes from each batch of
    /// <paramref name="parent"/>, meant to be the input of one keyed state operator. A state stream built on it
    /// (any overload of <c>UpdateStateByKey</c> or <c>MapWithState</c>) depends on <paramref name="parent"/> directly
    /// and runs the stage itself at each batch into its own reused input buffer: no batch of pairs is created,
    /// cached or handed between streams. Read as an ordinary stream (by any other operator), it computes its
    /// batches as <see cref="CompiledStream.CreatePartitioned"/> does; the stage then runs once per reader.
    /// </summary>
    /// <remarks>
    /// With <see cref="StreamingOptions.Parallelism"/> above 1, a batch of several partitions and a
    /// <paramref name="createStage"/>, the partitions run at the same time, each on a stage instance of its own
    /// (pooled across batches; their records are concatenated in partition order); otherwise
    /// <paramref name="stage"/> runs the whole batch on the job thread.
    /// </remarks>
    /// <typeparam name="TIn">The records of the input stream.</typeparam>
    /// <typeparam name="TKey">The keys of the state.</typeparam>
    /// <typeparam name="TValue">The values folded into the state.</typeparam>
    /// <param name="parent">The input stream.</param>
    /// <param name="name">The stream's name, used in errors (e.g. <c>Sessions.Compile</c>).</param>
    /// <param name="stage">The generated stage that runs whole batches; it must not be shared with another stream.</param>
    /// <param name="createStage">
    /// Creates further instances of the same stage, one per partition running at once; <c>null</c> when the stage is
    /// not partition-wise (it ends with a shuffle such as <c>ReduceByKey</c>), so that it runs whole batches only.
    /// </param>
    /// <returns>The stream to call the state operator on.</returns>
    public static DStream<(TKey Key, TValue Value)> FuseIntoState<TIn, TKey, TValue>(
        DStream<TIn> parent,
        string name,
        IBatchStage<TIn, (TKey Key, TValue Value)> stage,
        Func<IBatchStage<TIn, (TKey Key, TValue Value)>>? createStage)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(stage);
        return new FusedStateInputDStream<TIn, TKey, TValue>(parent, name, stage, createStage);
    }
}

/// <summary>The stream <see cref="CompiledState.FuseIntoState"/> returns.</summary>
internal sealed class FusedStateInputDStream<TIn, TKey, TValue> : DStream<(TKey Key, TValue Value)>, IFusedStateInput<TKey, TValue>
    where TKey : notnull
{
    private readonly DStream<TIn> _parent;
    private readonly IBatchStage<TIn, (TKey Key, TValue Value)> _stage;
    private readonly Func<IBatchStage<TIn, (TKey Key, TValue Value)>>? _createStage;
    private readonly TimeSpan _slide;
    private PartitionedStageRunner<TIn, (TKey Key, TValue Value)>? _runner;

    public FusedStateInputDStream(DStream<TIn> parent, string name, IBatchStage<TIn, (TKey Key, TValue Value)> stage, Func<IBatchStage<TIn, (TKey Key, TValue Value)>>? createStage)
        : base(parent.Context, name)
    {
        _parent = parent;
        _stage = stage;
        _createStage = createStage;
        _slide = parent.SlideDuration;
    }

    public override TimeSpan SlideDuration => _slide;

    public DStream Source => _parent;

    internal override IReadOnlyList<DStream> Dependencies => [_parent];

    public bool ProcessInto(BatchTime time, BatchBuilder<(TKey Key, TValue Value)> output)
    {
        if (_parent.GetOrCompute(time) is not { } batch)
        {
            return false;
        }

        Run(batch, output);
        return true;
    }

    internal override Batch<(TKey Key, TValue Value)>? Compute(BatchTime time)
    {
        if (_parent.GetOrCompute(time) is not { } batch)
        {
            return null;
        }

        var builder = new BatchBuilder<(TKey Key, TValue Value)>(0);
        try
        {
            Run(batch, builder);
        }
        catch
        {
            builder.ReleaseBuffer();
            throw;
        }

        return builder.ToBatch();
    }

    private void Run(Batch<TIn> batch, BatchBuilder<(TKey Key, TValue Value)> output)
    {
        var parallelism = Context.Options.Parallelism;
        if (_createStage is null || parallelism == 1 || batch.PartitionCount == 1 || batch.Count < PartitionLoop.MinRecordsForParallelRun)
        {
            _stage.Process(batch, output);
            return;
        }

        var runner = _runner ??= new PartitionedStageRunner<TIn, (TKey Key, TValue Value)>(_createStage);
        runner.Run(batch, parallelism);
        runner.MoveOutputsTo(output, batch.PartitionCount);
    }
}
