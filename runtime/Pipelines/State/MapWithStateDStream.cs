using Pipelines.Operators;
using Pipelines.Stateful;

namespace Pipelines;

/// <summary>
/// The stream a <c>MapWithState</c> returns (Spark's <c>MapWithStateDStream</c>): the records its mapping function
/// emitted in each batch. <see cref="StateSnapshots"/> gives the full state after each batch.
/// </summary>
/// <typeparam name="TKey">The type of the keys.</typeparam>
/// <typeparam name="TValue">The type of the values.</typeparam>
/// <typeparam name="TState">The type of each key's state.</typeparam>
/// <typeparam name="TMapped">The type of the records the function emits.</typeparam>
public sealed class MapWithStateDStream<TKey, TValue, TState, TMapped> : DStream<TMapped>
    where TKey : notnull
{
    private readonly MapWithStateCore<TKey, TValue, TState, TMapped> _core;

    internal MapWithStateDStream(MapWithStateCore<TKey, TValue, TState, TMapped> core)
        : base(core.Context, core.Name)
    {
        _core = core;
    }

    /// <inheritdoc />
    public override TimeSpan SlideDuration => _core.SlideDuration;

    internal override IReadOnlyList<DStream> Dependencies => [_core];

    internal MapWithStateCore<TKey, TValue, TState, TMapped> Core => _core;

    /// <summary>
    /// A stream whose batch is, after each batch, every key with its state (Spark's <c>stateSnapshots</c>).
    /// Define it before the context starts.
    /// </summary>
    public DStream<(TKey Key, TState State)> StateSnapshots()
    {
        var snapshots = new TransformedDStream<MapWithStateBatch<TKey, TState, TMapped>, (TKey, TState)>(
            _core, nameof(StateSnapshots), static (batch, _) => Batch<(TKey, TState)>.From(batch[0].Snapshot ?? []));
        _core.WantSnapshots();
        return snapshots;
    }

    internal override Batch<TMapped>? Compute(BatchTime time)
    {
        if (_core.GetOrCompute(time) is not { } batch)
        {
            return null;
        }

        var builder = new BatchBuilder<TMapped>(batch[0].Mapped.Length);
        builder.AddRange(batch[0].Mapped);
        return builder.ToBatch();
    }
}
