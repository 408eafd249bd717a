using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Pipelines.Partitioning;

namespace Pipelines.Stateful;

/// <summary>
/// Spark's <c>StateDStream</c> (<c>UpdateStateByKey</c>): at each batch the update function is called for every
/// key that has a state or new values (keys without new values get an empty list), and the stream's batch is
/// the whole state. A key whose function returns None is removed.
/// </summary>
/// <remarks>
/// Each state partition is updated by a <see cref="PartitionUpdate"/> (on its own task when the batch runs in
/// parallel): it groups the partition's records by the key's id in the state table, calls the function for every
/// key into a scratch array indexed by id, and only when every partition finished without an exception writes the
/// new states into the tables in place. No copy of the state is made; the scratch is reused from batch to batch.
/// </remarks>
internal sealed class StateDStream<TKey, TValue, TState> : KeyedStateDStream<TKey, TValue, TState, (TKey Key, TState State)>
    where TKey : notnull
{
    private readonly Func<IReadOnlyList<TValue>, Optional<TState>, Optional<TState>>? _update;
    private readonly Func<BatchTime, TKey, IReadOnlyList<TValue>, Optional<TState>, Optional<TState>>? _updateWithKey;
    private readonly PartitionLoop _updateLoop;
    private readonly PartitionLoop _commitLoop;
    private PartitionUpdate[] _partitions = [];
    private StateBatchInput<TKey, TValue>? _input;
    private KeyedStateTable<TKey, TState>[] _tables = [];
    private BatchTime _time;

    public StateDStream(
        DStream<(TKey Key, TValue Value)> parent,
        Func<IReadOnlyList<TValue>, Optional<TState>, Optional<TState>> update,
        (TKey Key, TState State)[]? initialState)
        : base(parent, "UpdateStateByKey", initialState)
    {
        _update = update;
        _updateLoop = new PartitionLoop(UpdatePartition);
        _commitLoop = new PartitionLoop(CommitPartition);
    }

    public StateDStream(
        DStream<(TKey Key, TValue Value)> parent,
        Func<BatchTime, TKey, IReadOnlyList<TValue>, Optional<TState>, Optional<TState>> update,
        (TKey Key, TState State)[]? initialState)
        : base(parent, "UpdateStateByKey", initialState)
    {
        _updateWithKey = update;
        _updateLoop = new PartitionLoop(UpdatePartition);
        _commitLoop = new PartitionLoop(CommitPartition);
    }

    protected override bool NoBatchWithoutState => true;

    protected override Batch<(TKey Key, TState State)>? Step(
        BatchTime time, StateBatchInput<TKey, TValue> input, KeyedStateTable<TKey, TState>[] tables, bool produceOutput)
    {
        if (_partitions.Length != tables.Length)
        {
            _partitions = new PartitionUpdate[tables.Length];
            for (var p = 0; p < tables.Length; p++)
            {
                _partitions[p] = new PartitionUpdate(this);
            }
        }

        _time = time;
        _input = input;
        _tables = tables;
        var parallelism = ParallelismFor(input.Count + KeyCount);
        try
        {
            // User code runs only here; the tables are read, not written.
            _updateLoop.Run(tables.Length, parallelism);

            // Commit: no user code below.
            _commitLoop.Run(tables.Length, parallelism);
        }
        catch
        {
            foreach (var partition in _partitions)
            {
                partition.Discard();
            }

            throw;
        }
        finally
        {
            _input = null;
            _tables = [];
        }

        return produceOutput ? ToBatch(tables) : null;
    }

    private void UpdatePartition(int p) => _partitions[p].Update(_time, _input!.Partition(p), _tables[p]);

    private void CommitPartition(int p) => _partitions[p].Commit(_time, _tables[p]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Optional<TState> Call(BatchTime time, TKey key, IReadOnlyList<TValue> values, Optional<TState> state) =>
        _update is { } update ? update(values, state) : _updateWithKey!(time, key, values, state);

    /// <summary>The scratch of one state partition's update: the batch's values grouped by key id, and the new states.</summary>
    private sealed class PartitionUpdate(StateDStream<TKey, TValue, TState> owner)
    {
        private static readonly bool KeysHoldReferences = RuntimeHelpers.IsReferenceOrContainsReferences<TKey>();
        private static readonly bool StatesHoldReferences = RuntimeHelpers.IsReferenceOrContainsReferences<TState>();

        private readonly Dictionary<TKey, int> _newKeyGroups = [];

        // Per id of the table: the batch's group of the key (valid where the stamp is the batch's) and the new state.
        private int _stamp;
        private int[] _idStamp = new int[16];
        private int[] _idGroup = new int[16];
        private Optional<TState>[] _results = new Optional<TState>[16];
        private int _slots;

        // Per group of the batch: its values; for keys without a state yet, the key and the new state.
        private int _groupCount;
        private int[] _groupCounts = new int[16];
        private TValue[][] _groupValues = new TValue[16][];
        private int[] _recordGroups = new int[16];
        private TKey[] _newKeys = new TKey[16];
        private int[] _newKeyGroupIndex = new int[16];
        private Optional<TState>[] _newResults = new Optional<TState>[16];
        private int _newCount;

        /// <summary>Calls the update function for every key of the table and every new key of the batch, without changing the table.</summary>
        public void Update(BatchTime time, ReadOnlySpan<(TKey Key, TValue Value)> records, KeyedStateTable<TKey, TState> table)
        {
            Group(records, table);
            _slots = table.SlotCount;
            if (_results.Length < _slots)
            {
                _results = new Optional<TState>[Math.Max(_slots, _results.Length * 2)];
            }

            for (var id = 0; id < _slots; id++)
            {
                if (!table.IsLive(id))
                {
                    continue;
                }

                IReadOnlyList<TValue> values = _idStamp[id] == _stamp ? _groupValues[_idGroup[id]] : Array.Empty<TValue>();
                _results[id] = owner.Call(time, table.KeyAt(id), values, table.StateAt(id));
            }

            if (_newResults.Length < _newCount)
            {
                _newResults = new Optional<TState>[Math.Max(_newCount, _newResults.Length * 2)];
            }

            for (var i = 0; i < _newCount; i++)
            {
                _newResults[i] = owner.Call(time, _newKeys[i], _groupValues[_newKeyGroupIndex[i]], Optional<TState>.None);
            }
        }

        /// <summary>Writes the new states into the table in place (removed keys first, so their ids go to the new keys). Runs no user code.</summary>
        public void Commit(BatchTime time, KeyedStateTable<TKey, TState> table)
        {
            for (var id = 0; id < _slots; id++)
            {
                if (!table.IsLive(id))
                {
                    continue;
                }

                if (_results[id] is { HasValue: true } updated)
                {
                    table.SetAt(id, updated.Value, time);
                }
                else
                {
                    table.RemoveAt(id);
                }
            }

            for (var i = 0; i < _newCount; i++)
            {
                if (_newResults[i] is { HasValue: true } created)
                {
                    table.Set(_newKeys[i], created.Value, time);
                }
            }

            Discard();
        }

        /// <summary>Lets go of the batch's keys, values and states.</summary>
        public void Discard()
        {
            Array.Clear(_groupValues, 0, _groupCount);
            if (StatesHoldReferences)
            {
                Array.Clear(_results, 0, Math.Min(_slots, _results.Length));
                Array.Clear(_newResults, 0, Math.Min(_newCount, _newResults.Length));
            }

            if (KeysHoldReferences)
            {
                Array.Clear(_newKeys, 0, _newCount);
            }

            _newKeyGroups.Clear();
            _groupCount = 0;
            _newCount = 0;
            _slots = 0;
        }

        /// <summary>Groups the records by key: a key with a state by its id, a new key in first-seen order; each group's values in arrival order.</summary>
        private void Group(ReadOnlySpan<(TKey Key, TValue Value)> records, KeyedStateTable<TKey, TState> table)
        {
            _groupCount = 0;
            _newCount = 0;
            if (_newKeyGroups.Count > 0)
            {
                _newKeyGroups.Clear();
            }

            if (++_stamp == int.MaxValue)
            {
                Array.Clear(_idStamp);
                _stamp = 1;
            }

            if (_idStamp.Length < table.SlotCount)
            {
                var length = Math.Max(table.SlotCount, _idStamp.Length * 2);
                Array.Resize(ref _idStamp, length);
                Array.Resize(ref _idGroup, length);
            }

            if (_recordGroups.Length < records.Length)
            {
                _recordGroups = new int[Math.Max(records.Length, _recordGroups.Length * 2)];
            }

            for (var i = 0; i < records.Length; i++)
            {
                var key = records[i].Key;
                var id = table.IdOf(key);
                int group;
                if (id >= 0)
                {
                    if (_idStamp[id] == _stamp)
                    {
                        group = _idGroup[id];
                    }
                    else
                    {
                        group = NewGroup();
                        _idStamp[id] = _stamp;
                        _idGroup[id] = group;
                    }
                }
                else
                {
                    ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_newKeyGroups, key, out var exists);
                    if (!exists)
                    {
                        slot = NewGroup();
                        if (_newCount == _newKeys.Length)
                        {
                            Array.Resize(ref _newKeys, _newCount * 2);
                            Array.Resize(ref _newKeyGroupIndex, _newCount * 2);
                        }

                        _newKeys[_newCount] = key;
                        _newKeyGroupIndex[_newCount++] = slot;
                    }

                    group = slot;
                }

                _groupCounts[group]++;
                _recordGroups[i] = group;
            }

            // One exactly-sized array per group: the function may keep the list it is given.
            for (var group = 0; group < _groupCount; group++)
            {
                _groupValues[group] = new TValue[_groupCounts[group]];
                _groupCounts[group] = 0;
            }

            for (var i = 0; i < records.Length; i++)
            {
                var group = _recordGroups[i];
                _groupValues[group][_groupCounts[group]++] = records[i].Value;
            }
        }

        private int NewGroup()
        {
            if (_groupCount == _groupCounts.Length)
            {
                Array.Resize(ref _groupCounts, _groupCount * 2);
                Array.Resize(ref _groupValues, _groupCount * 2);
            }

            _groupCounts[_groupCount] = 0;
            return _groupCount++;
        }
    }
}
