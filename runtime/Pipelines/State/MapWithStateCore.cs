using Pipelines.Partitioning;

namespace Pipelines.Stateful;

/// <summary>One batch of a <c>MapWithState</c>: what the mapping function emitted and, when asked for, the state after it.</summary>
internal sealed record MapWithStateBatch<TKey, TState, TMapped>(TMapped[] Mapped, (TKey Key, TState State)[]? Snapshot);

/// <summary>
/// Spark's <c>InternalMapWithStateDStream</c>: calls the mapping function for each record of each batch, in
/// order, with the key's <see cref="State{TState}"/>; then, with a timeout, once more for each key idle past it
/// (with no value, timing out), and removes those keys. Its batch holds a single
/// <see cref="MapWithStateBatch{TKey, TState, TMapped}"/> that the public streams read.
/// </summary>
/// <remarks>
/// Each state partition runs on its own task when the batch runs in parallel (records of one key always meet in
/// one partition, in arrival order); the mapped records keep the batch's record order whatever the partitioning,
/// followed by the timeout calls' records (partition after partition). Changes go
/// to a per-partition overlay (null = removed) that is committed into the tables only after every partition
/// finished without an exception; overlays and mapped lists are reused from batch to batch.
/// </remarks>
internal sealed class MapWithStateCore<TKey, TValue, TState, TMapped> : KeyedStateDStream<TKey, TValue, TState, MapWithStateBatch<TKey, TState, TMapped>>
    where TKey : notnull
{
    private readonly Func<BatchTime, TKey, Optional<TValue>, State<TState>, Optional<TMapped>> _function;
    private readonly TimeSpan? _timeout;
    private readonly PartitionLoop _mapLoop;
    private readonly PartitionLoop _commitLoop;
    private PartitionMap[] _partitions = [];
    private StateBatchInput<TKey, TValue>? _input;
    private KeyedStateTable<TKey, TState>[] _tables = [];
    private Optional<TMapped>[] _byPosition = [];
    private BatchTime _time;
    private bool _snapshotsWanted;

    public MapWithStateCore(DStream<(TKey Key, TValue Value)> parent, StateSpec<TKey, TValue, TState, TMapped> spec)
        : base(parent, "MapWithState", spec.InitialStateEntries, spec.PartitionCount)
    {
        _function = spec.MappingFunction;
        _timeout = spec.TimeoutDuration;
        _mapLoop = new PartitionLoop(MapPartition);
        _commitLoop = new PartitionLoop(CommitPartition);
    }

    /// <summary>Makes each batch carry the full state (for <c>StateSnapshots</c>).</summary>
    public void WantSnapshots() => _snapshotsWanted = true;

    protected override Batch<MapWithStateBatch<TKey, TState, TMapped>>? Step(
        BatchTime time, StateBatchInput<TKey, TValue> input, KeyedStateTable<TKey, TState>[] tables, bool produceOutput)
    {
        if (_partitions.Length != tables.Length)
        {
            _partitions = new PartitionMap[tables.Length];
            for (var p = 0; p < tables.Length; p++)
            {
                _partitions[p] = new PartitionMap(this);
            }
        }

        _time = time;
        _input = input;
        _tables = tables;
        if (tables.Length > 1 && _byPosition.Length < input.Count)
        {
            _byPosition = new Optional<TMapped>[Math.Max(input.Count, _byPosition.Length * 2)];
        }

        var parallelism = ParallelismFor(input.Count + (_timeout is null ? 0 : KeyCount));
        try
        {
            // User code runs only here; the tables are read, not written.
            _mapLoop.Run(tables.Length, parallelism);

            // Commit: no user code below.
            _commitLoop.Run(tables.Length, parallelism);
        }
        catch
        {
            foreach (var partition in _partitions)
            {
                partition.Clear();
            }

            if (tables.Length > 1)
            {
                Array.Clear(_byPosition, 0, input.Count);
            }

            throw;
        }
        finally
        {
            _input = null;
            _tables = [];
        }

        if (!produceOutput)
        {
            foreach (var partition in _partitions)
            {
                partition.Mapped.Clear();
            }

            if (tables.Length > 1)
            {
                Array.Clear(_byPosition, 0, input.Count);
            }

            return null;
        }

        var snapshot = _snapshotsWanted ? ToArray(tables) : null;
        var mappedRecords = tables.Length == 1 ? _partitions[0].Mapped.ToArray() : Gather(input.Count);
        foreach (var partition in _partitions)
        {
            partition.Mapped.Clear();
        }

        return Batch<MapWithStateBatch<TKey, TState, TMapped>>.From([new MapWithStateBatch<TKey, TState, TMapped>(mappedRecords, snapshot)]);
    }

    private void MapPartition(int p) =>
        _partitions[p].Map(_time, _input!.Partition(p), _input.Positions(p), _tables.Length > 1 ? _byPosition : null, _tables[p]);

    /// <summary>
    /// The mapped records of a batch run in several partitions, in the order a single partition gives: the records'
    /// results by their position in the batch, then each partition's timeout calls.
    /// </summary>
    private TMapped[] Gather(int records)
    {
        var total = 0;
        for (var i = 0; i < records; i++)
        {
            total += _byPosition[i].HasValue ? 1 : 0;
        }

        foreach (var partition in _partitions)
        {
            total += partition.Mapped.Count;
        }

        var all = new TMapped[total];
        var next = 0;
        for (var i = 0; i < records; i++)
        {
            if (_byPosition[i].HasValue)
            {
                all[next++] = _byPosition[i].Value;
            }
        }

        Array.Clear(_byPosition, 0, records);
        foreach (var partition in _partitions)
        {
            partition.Mapped.CopyTo(all, next);
            next += partition.Mapped.Count;
        }

        return all;
    }

    private void CommitPartition(int p) => _partitions[p].Commit(_tables[p]);

    /// <summary>The scratch of one state partition: its overlay of changes, its timing-out keys and its mapped records.</summary>
    private sealed class PartitionMap(MapWithStateCore<TKey, TValue, TState, TMapped> owner)
    {
        private readonly Dictionary<TKey, StateEntry<TState>?> _changes = [];
        private readonly List<(TKey Key, TState State)> _timingOut = [];
        private readonly State<TState> _state = new();

        public List<TMapped> Mapped { get; } = [];

        /// <summary>
        /// Calls the function for the partition's records and timing-out keys, gathering changes in the overlay. A
        /// record's result goes to <paramref name="byPosition"/> at its position in the batch when given (several
        /// partitions), to <see cref="Mapped"/> otherwise; timeout results always go to <see cref="Mapped"/>.
        /// </summary>
        public void Map(
            BatchTime time,
            ReadOnlySpan<(TKey Key, TValue Value)> records,
            ReadOnlySpan<int> positions,
            Optional<TMapped>[]? byPosition,
            KeyedStateTable<TKey, TState> table)
        {
            var function = owner._function;
            var timeout = owner._timeout;
            var changes = _changes;
            var mapped = Mapped;
            var state = _state;
            changes.Clear();
            mapped.Clear();
            _timingOut.Clear();
            for (var i = 0; i < records.Length; i++)
            {
                var (key, value) = records[i];
                state.Wrap(Current(table, changes, key));
                var returned = function(time, key, value, state);
                if (state.IsRemoved)
                {
                    changes[key] = null;
                }
                else if (state.IsUpdated || (state.Exists && timeout is not null))
                {
                    // As Spark: with a timeout, a record for a key refreshes its time even when the state is unchanged.
                    changes[key] = new StateEntry<TState>(state.Get(), time);
                }

                if (byPosition is not null)
                {
                    byPosition[positions[i]] = returned;
                }
                else if (returned.HasValue)
                {
                    mapped.Add(returned.Value);
                }
            }

            if (timeout is { } idle)
            {
                var threshold = time - idle;
                for (var id = 0; id < table.SlotCount; id++)
                {
                    if (table.IsLive(id) && table.LastUpdatedAt(id) < threshold && !changes.ContainsKey(table.KeyAt(id)))
                    {
                        _timingOut.Add((table.KeyAt(id), table.StateAt(id)));
                    }
                }

                foreach (var (key, current) in _timingOut)
                {
                    state.WrapTimingOut(current);
                    var returned = function(time, key, Optional<TValue>.None, state);
                    changes[key] = null;
                    if (returned.HasValue)
                    {
                        mapped.Add(returned.Value);
                    }
                }
            }
        }

        /// <summary>Applies the overlay to the table. Runs no user code.</summary>
        public void Commit(KeyedStateTable<TKey, TState> table)
        {
            StateChanges.Apply(_changes, table);
            _changes.Clear();
            _timingOut.Clear();
        }

        /// <summary>Drops a failed batch's changes and records.</summary>
        public void Clear()
        {
            _changes.Clear();
            _timingOut.Clear();
            Mapped.Clear();
        }

        private static Optional<TState> Current(KeyedStateTable<TKey, TState> table, Dictionary<TKey, StateEntry<TState>?> changes, TKey key)
        {
            if (changes.Count > 0 && changes.TryGetValue(key, out var change))
            {
                return change is { } entry ? entry.State : Optional<TState>.None;
            }

            var id = table.IdOf(key);
            return id >= 0 ? table.StateAt(id) : Optional<TState>.None;
        }
    }
}
