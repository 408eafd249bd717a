namespace Pipelines.Stateful;

/// <summary>One batch of a <c>MapWithState</c>: what the mapping function emitted and, when asked for, the state after it.</summary>
internal sealed record MapWithStateBatch<TKey, TState, TMapped>(TMapped[] Mapped, (TKey Key, TState State)[]? Snapshot);

/// <summary>
/// Spark's <c>InternalMapWithStateDStream</c>: calls the mapping function for each record of each batch, in
/// order, with the key's <see cref="State{TState}"/>; then, with a timeout, once more for each key idle past it
/// (with no value, timing out), and removes those keys. Its batch holds a single
/// <see cref="MapWithStateBatch{TKey, TState, TMapped}"/> that the public streams read.
/// </summary>
internal sealed class MapWithStateCore<TKey, TValue, TState, TMapped> : KeyedStateDStream<TKey, TValue, TState, MapWithStateBatch<TKey, TState, TMapped>>
    where TKey : notnull
{
    private readonly Func<BatchTime, TKey, Optional<TValue>, State<TState>, Optional<TMapped>> _function;
    private readonly TimeSpan? _timeout;
    private readonly Dictionary<TKey, StateEntry<TState>?> _changes = [];
    private readonly List<TMapped> _mapped = [];
    private readonly List<(TKey Key, TState State)> _timingOut = [];
    private bool _snapshotsWanted;

    public MapWithStateCore(DStream<(TKey Key, TValue Value)> parent, StateSpec<TKey, TValue, TState, TMapped> spec)
        : base(parent, "MapWithState", spec.InitialStateEntries)
    {
        _function = spec.MappingFunction;
        _timeout = spec.TimeoutDuration;
    }

    /// <summary>Makes each batch carry the full state (for <c>StateSnapshots</c>).</summary>
    public void WantSnapshots() => _snapshotsWanted = true;

    protected override (Dictionary<TKey, StateEntry<TState>> Next, Batch<MapWithStateBatch<TKey, TState, TMapped>>? Output) Step(
        BatchTime time, Batch<(TKey Key, TValue Value)> input, Dictionary<TKey, StateEntry<TState>> previous, bool produceOutput)
    {
        // Changes go to an overlay (null = removed) so that a throwing function leaves the state untouched; the
        // overlay and the mapped records are reused from batch to batch.
        var changes = _changes;
        var mapped = _mapped;
        changes.Clear();
        mapped.Clear();
        _timingOut.Clear();
        var state = new State<TState>();
        foreach (var (key, value) in input.Span)
        {
            state.Wrap(Current(previous, changes, key));
            var returned = _function(time, key, value, state);
            if (state.IsRemoved)
            {
                changes[key] = null;
            }
            else if (state.IsUpdated || (state.Exists && _timeout is not null))
            {
                // As Spark: with a timeout, a record for a key refreshes its time even when the state is unchanged.
                changes[key] = new StateEntry<TState>(state.Get(), time);
            }

            if (returned.HasValue)
            {
                mapped.Add(returned.Value);
            }
        }

        if (_timeout is { } timeout)
        {
            var threshold = time - timeout;
            var timingOut = _timingOut;
            foreach (var (key, entry) in previous)
            {
                if (!changes.ContainsKey(key) && entry.LastUpdated < threshold)
                {
                    timingOut.Add((key, entry.State));
                }
            }

            foreach (var (key, idle) in timingOut)
            {
                state.WrapTimingOut(idle);
                var returned = _function(time, key, Optional<TValue>.None, state);
                changes[key] = null;
                if (returned.HasValue)
                {
                    mapped.Add(returned.Value);
                }
            }
        }

        // Commit: no user code below.
        StateChanges.Apply(changes, previous);

        changes.Clear();
        _timingOut.Clear();
        if (!produceOutput)
        {
            mapped.Clear();
            return (previous, null);
        }

        (TKey, TState)[]? snapshot = null;
        if (_snapshotsWanted)
        {
            snapshot = new (TKey, TState)[previous.Count];
            var i = 0;
            foreach (var (key, entry) in previous)
            {
                snapshot[i++] = (key, entry.State);
            }
        }

        var mappedRecords = mapped.ToArray();
        mapped.Clear();
        return (previous, Batch<MapWithStateBatch<TKey, TState, TMapped>>.From([new MapWithStateBatch<TKey, TState, TMapped>(mappedRecords, snapshot)]));
    }

    private static Optional<TState> Current(Dictionary<TKey, StateEntry<TState>> previous, Dictionary<TKey, StateEntry<TState>?> changes, TKey key)
    {
        if (changes.TryGetValue(key, out var change))
        {
            return change is { } entry ? entry.State : Optional<TState>.None;
        }

        return previous.TryGetValue(key, out var existing) ? existing.State : Optional<TState>.None;
    }
}
