namespace Pipelines.Stateful;

/// <summary>
/// Spark's <c>StateDStream</c> (<c>UpdateStateByKey</c>): at each batch the update function is called for every
/// key that has a state or new values (keys without new values get an empty list), and the stream's batch is
/// the whole state. A key whose function returns None is removed.
/// </summary>
internal sealed class StateDStream<TKey, TValue, TState> : KeyedStateDStream<TKey, TValue, TState, (TKey Key, TState State)>
    where TKey : notnull
{
    private readonly Func<BatchTime, TKey, IReadOnlyList<TValue>, Optional<TState>, Optional<TState>> _update;

    public StateDStream(
        DStream<(TKey Key, TValue Value)> parent,
        Func<BatchTime, TKey, IReadOnlyList<TValue>, Optional<TState>, Optional<TState>> update,
        (TKey Key, TState State)[]? initialState)
        : base(parent, "UpdateStateByKey", initialState)
    {
        _update = update;
    }

    protected override bool NoBatchWithoutState => true;

    protected override (Dictionary<TKey, StateEntry<TState>> Next, Batch<(TKey Key, TState State)>? Output) Step(
        BatchTime time, Batch<(TKey Key, TValue Value)> input, Dictionary<TKey, StateEntry<TState>> previous, bool produceOutput)
    {
        var groups = GroupValues(input);

        var next = new Dictionary<TKey, StateEntry<TState>>(previous.Count + groups.Count);
        foreach (var (key, entry) in previous)
        {
            IReadOnlyList<TValue> values = groups.Remove(key, out var group) ? group : [];
            if (_update(time, key, values, entry.State) is { HasValue: true } updated)
            {
                next[key] = new StateEntry<TState>(updated.Value, time);
            }
        }

        foreach (var (key, values) in groups)
        {
            if (_update(time, key, values, Optional<TState>.None) is { HasValue: true } created)
            {
                next[key] = new StateEntry<TState>(created.Value, time);
            }
        }

        return (next, produceOutput ? ToBatch(next) : null);
    }
}
