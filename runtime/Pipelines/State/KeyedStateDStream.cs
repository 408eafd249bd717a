using System.Runtime.ExceptionServices;

namespace Pipelines.Stateful;

/// <summary>A key's state and the batch that last updated it.</summary>
internal readonly record struct StateEntry<TState>(TState State, BatchTime LastUpdated);

/// <summary>
/// The common part of the keyed state streams (<c>UpdateStateByKey</c>, <c>MapWithState</c>): the state lives
/// here between batches as plain data, and each parent batch is folded into it exactly once, in time order.
/// </summary>
/// <remarks>
/// <para>
/// Batch atomicity: a step either commits a whole new state or, when a user function (or the parent) throws,
/// leaves the state as it was. The failed batch's data is dropped; the next batch proceeds from the last
/// successful state, so a failed time is never recomputed later (Spark would recompute it from its lineage).
/// Asking again for the failed time, in the same batch, rethrows its error.
/// </para>
/// <para>
/// Like Spark's recursive <c>getOrCompute(t - slide)</c>, a batch asked for after parent batches that nobody
/// asked for (e.g. under a window that slides further than it spans) folds those batches in first.
/// </para>
/// </remarks>
internal abstract class KeyedStateDStream<TKey, TValue, TState, TOut> : DStream<TOut>, IKeyedStateStream<TKey, TState>
    where TKey : notnull
{
    private readonly DStream<(TKey Key, TValue Value)> _parent;
    private readonly TimeSpan _slide;
    private (TKey Key, TState State)[]? _pendingInitialState;
    private Dictionary<TKey, StateEntry<TState>> _store = [];
    private BatchTime? _attemptedUpTo;
    private (BatchTime Time, ExceptionDispatchInfo Error)? _failure;

    protected KeyedStateDStream(DStream<(TKey Key, TValue Value)> parent, string name, (TKey Key, TState State)[]? initialState)
        : base(parent.Context, name)
    {
        _parent = parent;
        _slide = parent.SlideDuration; // kept: asking the parent each time costs the chain's depth
        _pendingInitialState = initialState;
        StateKey = parent.Context.NextStateKey(name);
    }

    public override TimeSpan SlideDuration => _slide;

    internal override IReadOnlyList<DStream> Dependencies => [_parent];

    public string StateKey { get; }

    public BatchTime? StateTime { get; private set; }

    /// <summary>The number of keys with a state (for tests).</summary>
    internal int KeyCount => _store.Count;

    internal sealed override Batch<TOut>? Compute(BatchTime time)
    {
        if (_failure is { } failure && failure.Time == time)
        {
            failure.Error.Throw();
        }

        var zero = ZeroTime ?? throw new InvalidOperationException($"{Name} has not been initialized: start the StreamingContext first.");
        var start = _attemptedUpTo ?? zero;
        if (time <= start)
        {
            throw new InvalidOperationException(
                $"{Name} no longer has its batch at {time}: its state has moved on to {start}. Ask for batches in time order, or keep them longer with StreamingContext.Remember.");
        }

        _attemptedUpTo = time;
        _failure = null;
        try
        {
            Batch<TOut>? output = null;
            for (var step = FirstTimeAfter(start, zero); step <= time; step += SlideDuration)
            {
                var input = _parent.GetOrCompute(step) ?? Batch<(TKey, TValue)>.Empty;
                var previous = _pendingInitialState is { } initial ? StampInitialState(initial, step) : _store;
                var (next, stepOutput) = Step(step, input, previous, produceOutput: step == time);
                _store = next;
                _pendingInitialState = null;
                StateTime = step;
                output = stepOutput;
            }

            return output;
        }
        catch (Exception error)
        {
            _failure = (time, ExceptionDispatchInfo.Capture(error));
            throw;
        }
    }

    /// <summary>
    /// Folds the parent batch at <paramref name="time"/> into <paramref name="previous"/>. Must not change
    /// <paramref name="previous"/> until no user code can throw any more (it may then update it in place and
    /// return it). Builds the output only when <paramref name="produceOutput"/> is true.
    /// </summary>
    protected abstract (Dictionary<TKey, StateEntry<TState>> Next, Batch<TOut>? Output) Step(
        BatchTime time, Batch<(TKey Key, TValue Value)> input, Dictionary<TKey, StateEntry<TState>> previous, bool produceOutput);

    /// <summary>The batch's values grouped by key, in arrival order.</summary>
    protected static Dictionary<TKey, List<TValue>> GroupValues(Batch<(TKey Key, TValue Value)> input)
    {
        var groups = new Dictionary<TKey, List<TValue>>();
        foreach (var (key, value) in input.Span)
        {
            ref var group = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(groups, key, out _);
            (group ??= []).Add(value);
        }

        return groups;
    }

    /// <summary>Every key and state, as a new batch.</summary>
    protected static Batch<(TKey Key, TState State)> ToBatch(Dictionary<TKey, StateEntry<TState>> store)
    {
        var builder = new BatchBuilder<(TKey, TState)>(store.Count);
        foreach (var (key, entry) in store)
        {
            builder.Add((key, entry.State));
        }

        return builder.ToBatch();
    }

    public void Accept(IStatefulStreamVisitor visitor)
    {
        ArgumentNullException.ThrowIfNull(visitor);
        visitor.VisitKeyedState(this);
    }

    public KeyedStateSnapshot<TKey, TState> ExportState()
    {
        if (_pendingInitialState is { } initial)
        {
            return new KeyedStateSnapshot<TKey, TState>(null, Array.ConvertAll(initial, e => new KeyedStateEntry<TKey, TState>(e.Key, e.State, default)));
        }

        var entries = new List<KeyedStateEntry<TKey, TState>>(_store.Count);
        foreach (var (key, entry) in _store)
        {
            entries.Add(new KeyedStateEntry<TKey, TState>(key, entry.State, entry.LastUpdated));
        }

        return new KeyedStateSnapshot<TKey, TState>(StateTime, entries);
    }

    public void ImportState(KeyedStateSnapshot<TKey, TState> snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        _failure = null;
        if (snapshot.Time is not { } time)
        {
            var initial = new (TKey, TState)[snapshot.Entries.Count];
            for (var i = 0; i < initial.Length; i++)
            {
                initial[i] = (snapshot.Entries[i].Key, snapshot.Entries[i].State);
            }

            _pendingInitialState = initial;
            _store = [];
            StateTime = null;
            _attemptedUpTo = null;
            return;
        }

        var store = new Dictionary<TKey, StateEntry<TState>>(snapshot.Entries.Count);
        foreach (var entry in snapshot.Entries)
        {
            store[entry.Key] = new StateEntry<TState>(entry.State, entry.LastUpdated);
        }

        _pendingInitialState = null;
        _store = store;
        StateTime = time;
        _attemptedUpTo = time;
    }

    private static Dictionary<TKey, StateEntry<TState>> StampInitialState((TKey Key, TState State)[] initial, BatchTime time)
    {
        var store = new Dictionary<TKey, StateEntry<TState>>(initial.Length);
        foreach (var (key, state) in initial)
        {
            store[key] = new StateEntry<TState>(state, time);
        }

        return store;
    }

    private BatchTime FirstTimeAfter(BatchTime after, BatchTime zero)
    {
        var slide = BatchTime.ToMilliseconds(SlideDuration);
        var steps = Math.Max(0, Math.DivRem(after.Milliseconds - zero.Milliseconds, slide, out var rem) - (rem < 0 ? 1 : 0)) + 1;
        return new BatchTime(zero.Milliseconds + (steps * slide));
    }
}
