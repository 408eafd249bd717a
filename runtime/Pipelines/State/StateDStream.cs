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
    private readonly KeyedValueGroups<TKey, TValue> _groups = new();
    private readonly ScratchArray<(TKey Key, Optional<TState> State)> _updates = new();

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
        var groups = _groups.Group(input.Span);

        // The new states go to a scratch array first (user code runs only here), so a throwing function leaves
        // the state as it was; then they are written into the state in place, without copying it.
        var updates = _updates.Rent(previous.Count + groups);
        var count = 0;
        try
        {
            foreach (var (key, entry) in previous)
            {
                var values = _groups.TakeValues(key);
                updates[count++] = (key, _update(time, key, values, entry.State));
            }

            for (var group = 0; group < groups; group++)
            {
                if (!_groups.WasTaken(group))
                {
                    updates[count++] = (_groups.KeyOf(group), _update(time, _groups.KeyOf(group), _groups.ValuesOf(group), Optional<TState>.None));
                }
            }
        }
        catch
        {
            _updates.Clear(count);
            _groups.Clear();
            throw;
        }

        // Commit: no user code below.
        for (var i = 0; i < count; i++)
        {
            var (key, updated) = updates[i];
            if (updated.HasValue)
            {
                System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(previous, key, out _) = new StateEntry<TState>(updated.Value, time);
            }
            else
            {
                previous.Remove(key);
            }
        }

        _updates.Clear(count);
        _groups.Clear();
        return (previous, produceOutput ? ToBatch(previous) : null);
    }
}
