using System.Runtime.ExceptionServices;
using Pipelines.Partitioning;

namespace Pipelines.Stateful;

/// <summary>A key's state and the batch that last updated it.</summary>
internal readonly record struct StateEntry<TState>(TState State, BatchTime LastUpdated);

/// <summary>
/// The common part of the keyed state streams (<c>UpdateStateByKey</c>, <c>MapWithState</c>): the state lives
/// here between batches as flat tables (<see cref="KeyedStateTable{TKey, TState}"/>, one per partition), and each
/// parent batch is folded into it exactly once, in time order.
/// </summary>
/// <remarks>
/// <para>
/// Batch atomicity: a step either commits a whole new state or, when a user function (or the parent) throws,
/// leaves the state as it was. The failed batch's data is dropped; the next batch proceeds from the last
/// successful state, so a failed time is never recomputed later (Spark would recompute it from its lineage).
/// Asking again for the failed time, in the same batch, rethrows its error.
/// </para>
/// <para>
/// Partitions: with <see cref="StreamingOptions.Parallelism"/> above 1 the state is split by key hash
/// (<see cref="HashShuffle.PartitionOf"/>) into <see cref="DStream.NumPartitions"/> partitions (default: the
/// parallelism), and each partition's keys are updated on a task of their own; the output batch has one partition
/// per state partition. With a parallelism of 1 the state is one partition, whatever <c>numPartitions</c> says, so
/// the output order is the keys' insertion order as before.
/// </para>
/// <para>
/// Like Spark's recursive <c>getOrCompute(t - slide)</c>, a batch asked for after parent batches that nobody
/// asked for (e.g. under a window that slides further than it spans) folds those batches in first.
/// </para>
/// </remarks>
internal abstract class KeyedStateDStream<TKey, TValue, TState, TOut> : DStream<TOut>, IKeyedStateStream<TKey, TState>, IDescribedStream
    where TKey : notnull
{
    private readonly DStream<(TKey Key, TValue Value)> _parent;
    private readonly IFusedStateInput<TKey, TValue>? _fused;
    private readonly DStream[] _dependencies;
    private readonly TimeSpan _slide;
    private readonly int? _requestedPartitions;
    private readonly StateBatchInput<TKey, TValue> _input = new();
    private BatchBuilder<(TKey Key, TValue Value)>? _fusedOutput;
    private (TKey Key, TState State)[]? _pendingInitialState;
    private KeyedStateTable<TKey, TState>[]? _tables;
    private BatchTime? _attemptedUpTo;
    private (BatchTime Time, ExceptionDispatchInfo Error)? _failure;

    protected KeyedStateDStream(DStream<(TKey Key, TValue Value)> parent, string name, (TKey Key, TState State)[]? initialState, int? numPartitions = null)
        : base(parent.Context, name)
    {
        _parent = parent;
        _slide = parent.SlideDuration; // kept: asking the parent each time costs the chain's depth
        _pendingInitialState = initialState;
        _requestedPartitions = numPartitions;

        // A compiled stage fused into the state: run it into this stream's own input buffer, reading its parent.
        _fused = parent as IFusedStateInput<TKey, TValue>;
        _dependencies = _fused is { } fused ? [fused.Source] : [parent];
        StateKey = parent.Context.NextStateKey(name);
    }

    public override TimeSpan SlideDuration => _slide;

    internal override IReadOnlyList<DStream> Dependencies => _dependencies;

    public string StateKey { get; }

    public BatchTime? StateTime { get; private set; }

    /// <summary>The number of keys with a state (for tests).</summary>
    internal int KeyCount
    {
        get
        {
            var count = 0;
            foreach (var table in Tables)
            {
                count += table.Count;
            }

            return count;
        }
    }

    /// <summary>The number of partitions the state is split into (for tests).</summary>
    internal int StatePartitionCount => Tables.Length;

    /// <summary>The state's tables, one per partition (created at first use, when the partition count is known).</summary>
    private protected KeyedStateTable<TKey, TState>[] Tables => _tables ??= CreateTables();

    /// <summary>Its keys and their estimated size (read without a lock: exact between batches).</summary>
    public StreamDescription Describe(StreamDescription description)
    {
        long keys = _pendingInitialState is { } initial ? initial.Length : KeyCount;
        return description with { Kind = StreamKind.State, StateKeys = keys, EstimatedStateBytes = keys * StateSizes.EntryBytes<TKey, StateEntry<TState>>() };
    }

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
        var tables = Tables;
        (TKey Key, TState State)[]? stampedInitial = null;
        try
        {
            Batch<TOut>? output = null;
            for (var step = FirstTimeAfter(start, zero); step <= time; step += SlideDuration)
            {
                if (!LoadInput(step, tables.Length) && NoBatchWithoutState && StateTime is null)
                {
                    output = null; // Spark's StateDStream: no previous state and no parent batch gives no batch
                    continue;
                }

                if (_pendingInitialState is { } initial)
                {
                    StampInitialState(tables, initial, step);
                    stampedInitial = initial;
                    _pendingInitialState = null;
                }

                output = Step(step, _input, tables, produceOutput: step == time);
                StateTime = step;
                stampedInitial = null;
                ClearInput();
            }

            return output;
        }
        catch (Exception error)
        {
            ClearInput();
            if (stampedInitial is not null)
            {
                // The failed step was the first: the state is again the initial state, still to be stamped.
                foreach (var table in tables)
                {
                    table.Clear();
                }

                _pendingInitialState = stampedInitial;
            }

            _failure = (time, ExceptionDispatchInfo.Capture(error));
            throw;
        }
    }

    /// <summary>
    /// Whether a time at which the parent has no batch (not even an empty one) gives no batch while the stream has no
    /// state yet (it never had a parent batch; an initial state does not count), as Spark's <c>StateDStream</c>
    /// (<c>UpdateStateByKey</c>) does. Once it has a state, a missing parent batch is folded in as an empty one (the
    /// update function is called for every key with no values). Otherwise a missing batch always reads as empty
    /// (Spark's <c>mapWithState</c>).
    /// </summary>
    protected virtual bool NoBatchWithoutState => false;

    /// <summary>
    /// Folds the batch's records (<paramref name="input"/>, split into the state's partitions) into
    /// <paramref name="tables"/>. Must not change the tables until no user code can throw any more (it then updates
    /// them in place). Builds the output only when <paramref name="produceOutput"/> is true.
    /// </summary>
    protected abstract Batch<TOut>? Step(BatchTime time, StateBatchInput<TKey, TValue> input, KeyedStateTable<TKey, TState>[] tables, bool produceOutput);

    /// <summary>The parallelism for a step that touches <paramref name="work"/> records and keys.</summary>
    protected int ParallelismFor(int work) => PartitionLoop.ParallelismFor(work, Context.Options.Parallelism);

    /// <summary>Every key and state, as a new batch (one partition per table, in id order inside each).</summary>
    protected static Batch<(TKey Key, TState State)> ToBatch(KeyedStateTable<TKey, TState>[] tables)
    {
        var total = 0;
        foreach (var table in tables)
        {
            total += table.Count;
        }

        var builder = new BatchBuilder<(TKey, TState)>(Math.Max(total, 1));
        foreach (var table in tables)
        {
            table.CopyTo(builder);
            if (tables.Length > 1)
            {
                builder.EndPartition();
            }
        }

        return builder.ToBatch();
    }

    /// <summary>Every key and state, as an array (partition after partition).</summary>
    protected static (TKey Key, TState State)[] ToArray(KeyedStateTable<TKey, TState>[] tables)
    {
        var total = 0;
        foreach (var table in tables)
        {
            total += table.Count;
        }

        var all = new (TKey, TState)[total];
        var next = 0;
        foreach (var table in tables)
        {
            next = table.CopyTo(all, next);
        }

        return all;
    }

    /// <summary>The table of <paramref name="key"/>'s partition.</summary>
    protected static KeyedStateTable<TKey, TState> TableOf(KeyedStateTable<TKey, TState>[] tables, TKey key) =>
        tables.Length == 1 ? tables[0] : tables[HashShuffle.PartitionOf(key, tables.Length)];

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

        var entries = new List<KeyedStateEntry<TKey, TState>>(KeyCount);
        foreach (var table in Tables)
        {
            table.ExportTo(entries);
        }

        return new KeyedStateSnapshot<TKey, TState>(StateTime, entries);
    }

    public void ImportState(KeyedStateSnapshot<TKey, TState> snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        _failure = null;
        var tables = Tables;
        foreach (var table in tables)
        {
            table.Clear();
        }

        if (snapshot.Time is not { } time)
        {
            var initial = new (TKey, TState)[snapshot.Entries.Count];
            for (var i = 0; i < initial.Length; i++)
            {
                initial[i] = (snapshot.Entries[i].Key, snapshot.Entries[i].State);
            }

            _pendingInitialState = initial;
            StateTime = null;
            _attemptedUpTo = null;
            return;
        }

        foreach (var entry in snapshot.Entries)
        {
            TableOf(tables, entry.Key).Set(entry.Key, entry.State, entry.LastUpdated);
        }

        _pendingInitialState = null;
        StateTime = time;
        _attemptedUpTo = time;
    }

    /// <summary>Loads the records of the batch at <paramref name="time"/>; false when the parent has no batch (the input is then empty).</summary>
    private bool LoadInput(BatchTime time, int partitions)
    {
        if (_fused is { } fused)
        {
            var builder = _fusedOutput ??= new BatchBuilder<(TKey Key, TValue Value)>(0);
            if (!fused.ProcessInto(time, builder))
            {
                _input.Clear();
                return false;
            }

            _input.Load(builder, partitions);
            return true;
        }

        if (_parent.GetOrCompute(time) is not { } batch)
        {
            _input.Clear();
            return false;
        }

        _input.Load(batch, partitions);
        return true;
    }

    private void ClearInput()
    {
        _input.Clear();
        _fusedOutput?.Reset();
    }

    private KeyedStateTable<TKey, TState>[] CreateTables()
    {
        var parallelism = Context.Options.Parallelism;
        var partitions = parallelism <= 1 ? 1 : NumPartitions ?? _requestedPartitions ?? parallelism;
        var tables = new KeyedStateTable<TKey, TState>[partitions];
        for (var p = 0; p < partitions; p++)
        {
            tables[p] = new KeyedStateTable<TKey, TState>();
        }

        return tables;
    }

    private static void StampInitialState(KeyedStateTable<TKey, TState>[] tables, (TKey Key, TState State)[] initial, BatchTime time)
    {
        foreach (var table in tables)
        {
            table.Clear();
        }

        foreach (var (key, state) in initial)
        {
            TableOf(tables, key).Set(key, state, time);
        }
    }

    private BatchTime FirstTimeAfter(BatchTime after, BatchTime zero)
    {
        var slide = BatchTime.ToMilliseconds(SlideDuration);
        var steps = Math.Max(0, Math.DivRem(after.Milliseconds - zero.Milliseconds, slide, out var rem) - (rem < 0 ? 1 : 0)) + 1;
        return new BatchTime(zero.Milliseconds + (steps * slide));
    }
}
