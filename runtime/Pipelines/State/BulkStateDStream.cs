namespace Pipelines.Stateful;

/// <summary>
/// <c>UpdateStateByKey</c> with Spark's iterator form of the update function: it gets every key that has a
/// state or new values, with both, and returns the whole new state; keys it does not return are removed.
/// </summary>
internal sealed class BulkStateDStream<TKey, TValue, TState> : KeyedStateDStream<TKey, TValue, TState, (TKey Key, TState State)>
    where TKey : notnull
{
    private readonly Func<IEnumerable<(TKey Key, IReadOnlyList<TValue> Values, Optional<TState> State)>, IEnumerable<(TKey Key, TState State)>> _update;

    public BulkStateDStream(
        DStream<(TKey Key, TValue Value)> parent,
        Func<IEnumerable<(TKey Key, IReadOnlyList<TValue> Values, Optional<TState> State)>, IEnumerable<(TKey Key, TState State)>> update,
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

        var returned = _update(Cogroup(previous, groups))
            ?? throw new InvalidOperationException("The UpdateStateByKey function returned null; return the new states (an empty sequence removes every key).");
        var next = new Dictionary<TKey, StateEntry<TState>>(previous.Count + groups.Count);
        foreach (var (key, state) in returned)
        {
            if (key is null)
            {
                throw new InvalidOperationException("The UpdateStateByKey function returned a null key; keys cannot be null.");
            }

            if (!next.TryAdd(key, new StateEntry<TState>(state, time)))
            {
                throw new InvalidOperationException($"The UpdateStateByKey function returned the key '{key}' more than once; return one state per key.");
            }
        }

        return (next, produceOutput ? ToBatch(next) : null);
    }

    private static IEnumerable<(TKey, IReadOnlyList<TValue>, Optional<TState>)> Cogroup(
        Dictionary<TKey, StateEntry<TState>> previous, Dictionary<TKey, List<TValue>> groups)
    {
        foreach (var (key, entry) in previous)
        {
            yield return (key, groups.TryGetValue(key, out var group) ? group : [], entry.State);
        }

        foreach (var (key, values) in groups)
        {
            if (!previous.ContainsKey(key))
            {
                yield return (key, values, Optional<TState>.None);
            }
        }
    }
}
