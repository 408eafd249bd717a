namespace Pipelines.Stateful;

/// <summary>
/// <c>UpdateStateByKey</c> with Spark's iterator form of the update function: it gets every key that has a
/// state or new values, with both, and returns the whole new state; keys it does not return are removed.
/// </summary>
/// <remarks>The function sees the whole state at once, so it runs on the job thread whatever the partitioning.</remarks>
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

    protected override Batch<(TKey Key, TState State)>? Step(
        BatchTime time, StateBatchInput<TKey, TValue> input, KeyedStateTable<TKey, TState>[] tables, bool produceOutput)
    {
        var groups = new Dictionary<TKey, List<TValue>>();
        for (var p = 0; p < tables.Length; p++)
        {
            foreach (var (key, value) in input.Partition(p))
            {
                ref var group = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(groups, key, out _);
                (group ??= []).Add(value);
            }
        }

        var returned = _update(Cogroup(tables, groups))
            ?? throw new InvalidOperationException("The UpdateStateByKey function returned null; return the new states (an empty sequence removes every key).");
        var next = new Dictionary<TKey, TState>();
        foreach (var (key, state) in returned)
        {
            if (key is null)
            {
                throw new InvalidOperationException("The UpdateStateByKey function returned a null key; keys cannot be null.");
            }

            if (!next.TryAdd(key, state))
            {
                throw new InvalidOperationException($"The UpdateStateByKey function returned the key '{key}' more than once; return one state per key.");
            }
        }

        // Commit: no user code below.
        foreach (var table in tables)
        {
            table.Clear();
        }

        foreach (var (key, state) in next)
        {
            TableOf(tables, key).Set(key, state, time);
        }

        return produceOutput ? ToBatch(tables) : null;
    }

    private static IEnumerable<(TKey, IReadOnlyList<TValue>, Optional<TState>)> Cogroup(
        KeyedStateTable<TKey, TState>[] tables, Dictionary<TKey, List<TValue>> groups)
    {
        foreach (var table in tables)
        {
            for (var id = 0; id < table.SlotCount; id++)
            {
                if (table.IsLive(id))
                {
                    var key = table.KeyAt(id);
                    yield return (key, groups.TryGetValue(key, out var group) ? group : [], table.StateAt(id));
                }
            }
        }

        foreach (var (key, values) in groups)
        {
            if (TableOf(tables, key).IdOf(key) < 0)
            {
                yield return (key, values, Optional<TState>.None);
            }
        }
    }
}
