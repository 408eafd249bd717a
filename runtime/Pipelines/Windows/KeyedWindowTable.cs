using System.Runtime.CompilerServices;

namespace Pipelines.Windows;

/// <summary>
/// The flat data of a keyed window (<see cref="KeyedWindowDStream{TIn, TKey, TValue}"/>, incremental or recomputed): every key
/// is interned once into an id, and everything else is arrays indexed by that id — the window's result, how
/// many kept batches hold each key, and the scratch space of one window step. The kept batches are a ring of
/// per-batch partial aggregates (<see cref="WindowSlice{TValue}"/>) whose arrays are reused. A step allocates
/// nothing once the arrays have grown to the number of keys and the ring to the window.
/// </summary>
internal sealed class KeyedWindowTable<TKey, TValue>
    where TKey : notnull
{
    private static readonly bool ValuesHoldReferences = RuntimeHelpers.IsReferenceOrContainsReferences<TValue>();
    private static readonly bool KeysHoldReferences = RuntimeHelpers.IsReferenceOrContainsReferences<TKey>();

    // String keys live in a StringIdMap (looked up by span without an interface call per key); others in _ids.
    private readonly Dictionary<TKey, int> _ids = [];
    private readonly StringIdMap? _stringIds;
    private readonly Stack<int> _freeIds = new();
    private readonly Stack<WindowSlice<TValue>> _freeSlices = new();
    private int _idLimit;
    private TKey[] _keys = new TKey[16];
    private int[] _batchRefs = new int[16];
    private bool[] _live = new bool[16];

    // The result: the value of each id, its position in the ordered result list (-1 when absent).
    private TValue[] _result = new TValue[16];
    private int[] _resultPosition = CreateFilled(16);
    private int[] _resultOrder = new int[16];
    private int _resultCount;

    // The ring of kept batches, oldest first.
    private WindowSlice<TValue>[] _ring = new WindowSlice<TValue>[4];
    private int _ringStart;
    private int _ringCount;

    // Scratch of a step, valid where the id's stamp equals the step's.
    private int _stamp;
    private int[] _sliceStamp = new int[16];
    private int[] _slicePosition = new int[16];
    private int[] _leaveStamp = new int[16];
    private int[] _arriveStamp = new int[16];
    private int[] _nextStamp = new int[16];
    private int[] _leaveCount = new int[16];
    private int[] _arriveCount = new int[16];
    private TValue[] _leaving = new TValue[16];
    private TValue[] _arriving = new TValue[16];
    private TValue[] _next = new TValue[16];
    private int[] _leavingIds = new int[16];
    private int[] _arrivingIds = new int[16];
    private int[] _changedIds = new int[16];
    private int[] _removedIds = new int[16];
    private readonly List<int> _newIds = [];
    private int _leavingCount;
    private int _arrivingCount;
    private int _changedCount;
    private int _removedCount;

    // The slice a step is filling (see BeginSlice / SliceValueRef).
    private WindowSlice<TValue>? _filling;

    public KeyedWindowTable()
    {
        if (typeof(TKey) == typeof(string))
        {
            _stringIds = new StringIdMap();
        }
    }

    /// <summary>How many batches the ring keeps.</summary>
    public int KeptBatchCount => _ringCount;

    /// <summary>How many keys the result holds.</summary>
    public int ResultCount => _resultCount;

    /// <summary>How many keys are interned (for tests: bounded by the keys still in the window).</summary>
    public int InternedKeyCount => _stringIds?.Count ?? _ids.Count;

    /// <summary>The kept batch at <paramref name="index"/> (0 = oldest).</summary>
    public WindowSlice<TValue> KeptBatch(int index) => _ring[(_ringStart + index) % _ring.Length];

    /// <summary>The key of <paramref name="id"/>.</summary>
    public TKey KeyOf(int id) => _keys[id];

    /// <summary>The result's ids in output order.</summary>
    public ReadOnlySpan<int> ResultIds => new(_resultOrder, 0, _resultCount);

    /// <summary>The result value of <paramref name="id"/>.</summary>
    public TValue ResultOf(int id) => _result[id];

    /// <summary>Starts a step: scratch stamps from earlier steps no longer count.</summary>
    public void BeginStep()
    {
        _newIds.Clear();
        _leavingCount = 0;
        _arrivingCount = 0;
        _changedCount = 0;
        _removedCount = 0;
        NextStamp();
    }

    /// <summary>A slice from the pool, empty, for the batch at <paramref name="time"/>.</summary>
    public WindowSlice<TValue> RentSlice(BatchTime time)
    {
        var slice = _freeSlices.Count > 0 ? _freeSlices.Pop() : new WindowSlice<TValue>();
        slice.Reset(time);
        return slice;
    }

    /// <summary>Gives a slice that will not be kept back to the pool.</summary>
    public void ReturnSlice(WindowSlice<TValue> slice)
    {
        slice.Clear(ValuesHoldReferences);
        _freeSlices.Push(slice);
    }

    /// <summary>Starts filling <paramref name="slice"/> through <see cref="SliceValueRef"/>: no key has a value in it yet.</summary>
    public void BeginSlice(WindowSlice<TValue> slice)
    {
        NextStamp();
        _filling = slice;
    }

    /// <summary>Ends filling the slice <see cref="BeginSlice"/> started.</summary>
    public void EndSlice() => _filling = null;

    /// <summary>
    /// The value of <paramref name="id"/> in the slice being filled; <paramref name="exists"/> tells whether the key
    /// already has a value in it (otherwise the value is <c>default</c> and the key is listed last). The reference
    /// is valid until the next call.
    /// </summary>
    public ref TValue SliceValueRef(int id, out bool exists)
    {
        var slice = _filling!;
        if (_sliceStamp[id] == _stamp)
        {
            exists = true;
            return ref slice.Values[_slicePosition[id]];
        }

        _sliceStamp[id] = _stamp;
        var position = slice.Add(id, default!);
        _slicePosition[id] = position;
        exists = false;
        return ref slice.Values[position];
    }

    /// <summary>Reduces one parent batch into <paramref name="slice"/>, key by key in arrival order.</summary>
    public void ReduceInto(WindowSlice<TValue> slice, ReadOnlySpan<(TKey Key, TValue Value)> records, Func<TValue, TValue, TValue> reduce)
    {
        BeginSlice(slice);
        foreach (var (key, value) in records)
        {
            ref var total = ref SliceValueRef(Intern(key), out var exists);
            total = exists ? reduce(total, value) : value;
        }

        EndSlice();
    }

    /// <summary>
    /// Computes a recomputed window's output (runs the user's reducer): the kept batches after
    /// <paramref name="windowStart"/> (none when <paramref name="fresh"/>) and the <paramref name="entering"/> ones,
    /// reduced by key in time order, keys in first-seen order. <see cref="Commit"/> then moves the ring.
    /// </summary>
    public void MergeRecomputed(
        BatchTime windowStart,
        bool fresh,
        List<WindowSlice<TValue>> entering,
        Func<TValue, TValue, TValue> reduce,
        BatchBuilder<(TKey, TValue)> output)
    {
        NextStamp();
        var stamp = _stamp;
        if (!fresh)
        {
            for (var i = 0; i < _ringCount; i++)
            {
                var slice = KeptBatch(i);
                if (slice.Time > windowStart)
                {
                    Accumulate(slice, stamp, _arriveStamp, _arriveCount, _arriving, ref _arrivingIds, ref _arrivingCount, reduce);
                }
            }
        }

        foreach (var slice in entering)
        {
            Accumulate(slice, stamp, _arriveStamp, _arriveCount, _arriving, ref _arrivingIds, ref _arrivingCount, reduce);
        }

        output.EnsureCapacity(output.Count + _arrivingCount);
        for (var i = 0; i < _arrivingCount; i++)
        {
            var id = _arrivingIds[i];
            output.Add((_keys[id], _arriving[id]));
            if (ValuesHoldReferences)
            {
                _arriving[id] = default!;
            }
        }
    }

    /// <summary>Adds a kept batch's reduced values, as a checkpoint stored them.</summary>
    public void ImportSlice(WindowSlice<TValue> slice, IReadOnlyList<KeyValuePair<TKey, TValue>> values)
    {
        foreach (var (key, value) in values)
        {
            slice.Add(Intern(key), value);
        }
    }

    /// <summary>
    /// Computes the next result without changing the current one (runs the user's functions): subtracts the kept
    /// batches up to <paramref name="windowStart"/> (unless <paramref name="fresh"/>), adds the
    /// <paramref name="entering"/> slices, writes the filtered result to <paramref name="output"/> and notes the
    /// rejected keys no remaining batch holds. <see cref="Commit"/> applies it.
    /// </summary>
    public void Merge(
        BatchTime windowStart,
        bool fresh,
        List<WindowSlice<TValue>> entering,
        Func<TValue, TValue, TValue> reduce,
        Func<TValue, TValue, TValue> inverseReduce,
        Func<(TKey Key, TValue Value), bool>? filter,
        BatchBuilder<(TKey, TValue)> output)
    {
        NextStamp();
        var stamp = _stamp;
        if (!fresh)
        {
            // Spark: previous = invReduce(previous, reduce(old values in time order)), for each key that has old values.
            for (var i = 0; i < _ringCount; i++)
            {
                var slice = KeptBatch(i);
                if (slice.Time > windowStart)
                {
                    break;
                }

                Accumulate(slice, stamp, _leaveStamp, _leaveCount, _leaving, ref _leavingIds, ref _leavingCount, reduce);
            }

            for (var i = 0; i < _leavingCount; i++)
            {
                var id = _leavingIds[i];
                if (_resultPosition[id] >= 0)
                {
                    SetNext(id, inverseReduce(_result[id], _leaving[id]), stamp);
                }
            }
        }

        // Spark: then reduce(previous, reduce(new values in time order)), or the new values alone for a new key.
        foreach (var slice in entering)
        {
            Accumulate(slice, stamp, _arriveStamp, _arriveCount, _arriving, ref _arrivingIds, ref _arrivingCount, reduce);
        }

        for (var i = 0; i < _arrivingCount; i++)
        {
            var id = _arrivingIds[i];
            var added = _arriving[id];
            if (_nextStamp[id] == stamp)
            {
                _next[id] = reduce(_next[id], added);
            }
            else if (!fresh && _resultPosition[id] >= 0)
            {
                SetNext(id, reduce(_result[id], added), stamp);
            }
            else
            {
                SetNext(id, added, stamp);
            }
        }

        // The output: the result's keys in order, then the new keys in arrival order.
        output.EnsureCapacity(output.Count + (fresh ? 0 : _resultCount) + _arrivingCount);
        if (!fresh)
        {
            for (var i = 0; i < _resultCount; i++)
            {
                var id = _resultOrder[i];
                var changed = _nextStamp[id] == stamp;
                Emit(id, changed ? _next[id] : _result[id], changed, fresh, stamp, filter, output);
            }
        }

        for (var i = 0; i < _arrivingCount; i++)
        {
            var id = _arrivingIds[i];
            if (fresh || _resultPosition[id] < 0)
            {
                Emit(id, _next[id], changed: true, fresh, stamp, filter, output);
            }
        }
    }

    /// <summary>
    /// Applies the step <see cref="Merge"/> computed: drops the batches that left (all kept batches when
    /// <paramref name="fresh"/>), keeps the entering ones, and writes the new values into the result in place.
    /// Runs no user code.
    /// </summary>
    public void Commit(BatchTime windowStart, bool fresh, List<WindowSlice<TValue>> entering)
    {
        var stamp = _stamp;
        if (fresh)
        {
            for (var i = 0; i < _resultCount; i++)
            {
                var id = _resultOrder[i];
                _resultPosition[id] = -1;
                if (ValuesHoldReferences)
                {
                    _result[id] = default!;
                }

                AddRemoved(id);
            }

            _resultCount = 0;
        }

        while (_ringCount > 0 && (fresh || _ring[_ringStart].Time <= windowStart))
        {
            var slice = _ring[_ringStart];
            for (var i = 0; i < slice.Count; i++)
            {
                var id = slice.Ids[i];
                if (--_batchRefs[id] == 0)
                {
                    AddRemoved(id);
                }
            }

            _ring[_ringStart] = null!;
            _ringStart = (_ringStart + 1) % _ring.Length;
            _ringCount--;
            ReturnSlice(slice);
        }

        foreach (var slice in entering)
        {
            if (slice.Count == 0)
            {
                ReturnSlice(slice);
                continue;
            }

            for (var i = 0; i < slice.Count; i++)
            {
                _batchRefs[slice.Ids[i]]++;
            }

            PushSlice(slice);
        }

        // New values in place; then the rejected keys no batch holds leave, keeping the others' order.
        for (var i = 0; i < _changedCount; i++)
        {
            var id = _changedIds[i];
            _result[id] = _next[id];
            if (ValuesHoldReferences)
            {
                _next[id] = default!;
                _leaving[id] = default!;
                _arriving[id] = default!;
            }

            if (_resultPosition[id] < 0)
            {
                EnsureResultOrderCapacity(_resultCount + 1);
                _resultPosition[id] = _resultCount;
                _resultOrder[_resultCount++] = id;
            }
        }

        var dropped = false;
        for (var i = 0; i < _removedCount; i++)
        {
            var id = _removedIds[i];
            if (_nextStamp[id] == stamp && _resultPosition[id] >= 0 && IsRejectedAndUnheld(id, stamp))
            {
                _resultPosition[id] = -2;
                dropped = true;
            }
        }

        if (dropped)
        {
            var kept = 0;
            for (var i = 0; i < _resultCount; i++)
            {
                var id = _resultOrder[i];
                if (_resultPosition[id] == -2)
                {
                    _resultPosition[id] = -1;
                    if (ValuesHoldReferences)
                    {
                        _result[id] = default!;
                    }

                    continue;
                }

                _resultPosition[id] = kept;
                _resultOrder[kept++] = id;
            }

            _resultCount = kept;
        }

        // Ids no batch and no result holds any more go back to the free list.
        for (var i = 0; i < _removedCount; i++)
        {
            ReleaseIfUnused(_removedIds[i]);
        }

        _newIds.Clear();
        _removedCount = 0;
    }

    /// <summary>Undoes what a failed step interned: keys seen only by the failed step leave the table again.</summary>
    public void Abort(List<WindowSlice<TValue>> entering)
    {
        foreach (var slice in entering)
        {
            ReturnSlice(slice);
        }

        entering.Clear();
        foreach (var id in _newIds)
        {
            ReleaseIfUnused(id);
        }

        _newIds.Clear();
        _removedCount = 0;
    }

    /// <summary>Empties the table (before an import).</summary>
    public void Clear()
    {
        while (_ringCount > 0)
        {
            var slice = _ring[_ringStart];
            _ring[_ringStart] = null!;
            _ringStart = (_ringStart + 1) % _ring.Length;
            _ringCount--;
            ReturnSlice(slice);
        }

        _ringStart = 0;
        _ids.Clear();
        _stringIds?.Clear();
        _freeIds.Clear();
        _idLimit = 0;
        _resultCount = 0;
        Array.Clear(_keys);
        Array.Clear(_batchRefs);
        Array.Clear(_live);
        Array.Clear(_result);
        Array.Fill(_resultPosition, -1);
        _newIds.Clear();
    }

    /// <summary>Sets the result (from a checkpoint), in order.</summary>
    public void ImportResult(IReadOnlyList<KeyValuePair<TKey, TValue>> result)
    {
        foreach (var (key, value) in result)
        {
            var id = Intern(key);
            _result[id] = value;
            if (_resultPosition[id] < 0)
            {
                EnsureResultOrderCapacity(_resultCount + 1);
                _resultPosition[id] = _resultCount;
                _resultOrder[_resultCount++] = id;
            }
        }

        _newIds.Clear();
    }

    /// <summary>Keeps an imported slice at the end of the ring.</summary>
    public void KeepImported(WindowSlice<TValue> slice)
    {
        for (var i = 0; i < slice.Count; i++)
        {
            _batchRefs[slice.Ids[i]]++;
        }

        PushSlice(slice);
        _newIds.Clear();
    }

    private void Emit(int id, TValue value, bool changed, bool fresh, int stamp, Func<(TKey Key, TValue Value), bool>? filter, BatchBuilder<(TKey, TValue)> output)
    {
        var key = _keys[id];
        if (filter is null || filter((key, value)))
        {
            output.Add((key, value));
        }
        else if (changed)
        {
            // A rejected key leaves the kept result once no batch still in the window has values for it.
            var remaining = (fresh ? 0 : _batchRefs[id] - (_leaveStamp[id] == stamp ? _leaveCount[id] : 0)) + (_arriveStamp[id] == stamp ? _arriveCount[id] : 0);
            if (remaining == 0)
            {
                AddRemoved(id);
                _leaveCount[id] = int.MinValue; // marks "rejected and unheld" for Commit (the leave count is no longer needed)
                _leaveStamp[id] = stamp;
            }
        }
    }

    private bool IsRejectedAndUnheld(int id, int stamp) => _leaveStamp[id] == stamp && _leaveCount[id] == int.MinValue;

    private void Accumulate(
        WindowSlice<TValue> slice, int stamp, int[] stamps, int[] counts, TValue[] totals, ref int[] ids, ref int idCount, Func<TValue, TValue, TValue> reduce)
    {
        for (var i = 0; i < slice.Count; i++)
        {
            var id = slice.Ids[i];
            if (stamps[id] == stamp)
            {
                totals[id] = reduce(totals[id], slice.Values[i]);
                counts[id]++;
            }
            else
            {
                stamps[id] = stamp;
                totals[id] = slice.Values[i];
                counts[id] = 1;
                if (idCount == ids.Length)
                {
                    Array.Resize(ref ids, ids.Length * 2);
                }

                ids[idCount++] = id;
            }
        }
    }

    private void SetNext(int id, TValue value, int stamp)
    {
        _next[id] = value;
        if (_nextStamp[id] != stamp)
        {
            _nextStamp[id] = stamp;
            if (_changedCount == _changedIds.Length)
            {
                Array.Resize(ref _changedIds, _changedIds.Length * 2);
            }

            _changedIds[_changedCount++] = id;
        }
    }

    private void AddRemoved(int id)
    {
        if (_removedCount == _removedIds.Length)
        {
            Array.Resize(ref _removedIds, _removedIds.Length * 2);
        }

        _removedIds[_removedCount++] = id;
    }

    private void ReleaseIfUnused(int id)
    {
        if (!_live[id] || _batchRefs[id] != 0 || _resultPosition[id] >= 0)
        {
            return;
        }

        if (_stringIds is { } stringIds)
        {
            stringIds.Remove((string)(object)_keys[id]);
        }
        else
        {
            _ids.Remove(_keys[id]);
        }

        _live[id] = false;

        if (KeysHoldReferences)
        {
            _keys[id] = default!;
        }

        _freeIds.Push(id);
    }

    /// <summary>The id of <paramref name="key"/>, interning it if it is new.</summary>
    public int Intern(TKey key)
    {
        if (_stringIds is { } stringIds)
        {
            var text = (string)(object)key;
            var hash = StringIdMap.Hash(text);
            var found = stringIds.Find(text, hash);
            if (found >= 0)
            {
                return found;
            }

            var added = NewId(key);
            stringIds.Add(text, added, hash);
            return added;
        }

        ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_ids, key, out var exists);
        if (exists)
        {
            return slot;
        }

        slot = NewId(key);
        return slot;
    }

    /// <summary>The id of the string key spelled by <paramref name="key"/> (the table's keys are strings); a new key allocates its string once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Intern(ReadOnlySpan<char> key)
    {
        if (_stringIds is not { } stringIds)
        {
            throw new InvalidOperationException($"A window keyed by {typeof(TKey)} cannot look keys up as character spans: only string keys can.");
        }

        var hash = StringIdMap.Hash(key);
        var found = stringIds.Find(key, hash);
        return found >= 0 ? found : InternNew(stringIds, key, hash);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int InternNew(StringIdMap stringIds, ReadOnlySpan<char> key, int hash)
    {
        var text = key.ToString();
        var id = NewId((TKey)(object)text);
        stringIds.Add(text, id, hash);
        return id;
    }

    private int NewId(TKey key)
    {
        int id;
        if (_freeIds.Count > 0)
        {
            id = _freeIds.Pop();
        }
        else
        {
            id = _idLimit++;
            if (id == _keys.Length)
            {
                Grow(_keys.Length * 2);
            }
        }

        _keys[id] = key;
        _live[id] = true;
        _newIds.Add(id);
        return id;
    }

    private void Grow(int size)
    {
        Array.Resize(ref _keys, size);
        Array.Resize(ref _batchRefs, size);
        Array.Resize(ref _live, size);
        Array.Resize(ref _result, size);
        var oldSize = _resultPosition.Length;
        Array.Resize(ref _resultPosition, size);
        Array.Fill(_resultPosition, -1, oldSize, size - oldSize);
        Array.Resize(ref _sliceStamp, size);
        Array.Resize(ref _slicePosition, size);
        Array.Resize(ref _leaveStamp, size);
        Array.Resize(ref _arriveStamp, size);
        Array.Resize(ref _nextStamp, size);
        Array.Resize(ref _leaveCount, size);
        Array.Resize(ref _arriveCount, size);
        Array.Resize(ref _leaving, size);
        Array.Resize(ref _arriving, size);
        Array.Resize(ref _next, size);
    }

    private void EnsureResultOrderCapacity(int count)
    {
        if (count > _resultOrder.Length)
        {
            Array.Resize(ref _resultOrder, Math.Max(count, _resultOrder.Length * 2));
        }
    }

    private void PushSlice(WindowSlice<TValue> slice)
    {
        if (_ringCount == _ring.Length)
        {
            var larger = new WindowSlice<TValue>[_ring.Length * 2];
            for (var i = 0; i < _ringCount; i++)
            {
                larger[i] = _ring[(_ringStart + i) % _ring.Length];
            }

            _ring = larger;
            _ringStart = 0;
        }

        _ring[(_ringStart + _ringCount) % _ring.Length] = slice;
        _ringCount++;
    }

    private void NextStamp()
    {
        if (++_stamp == int.MaxValue)
        {
            // After 2^31 steps: forget every stamp once rather than let an old one collide.
            _stamp = 1;
            Array.Clear(_sliceStamp);
            Array.Clear(_leaveStamp);
            Array.Clear(_arriveStamp);
            Array.Clear(_nextStamp);
        }
    }

    private static int[] CreateFilled(int size)
    {
        var array = new int[size];
        Array.Fill(array, -1);
        return array;
    }
}

/// <summary>One parent batch of a window reduced by key: parallel arrays of key ids and values, reused through the table's pool.</summary>
internal sealed class WindowSlice<TValue>
{
    public BatchTime Time { get; private set; }

    public int[] Ids { get; private set; } = new int[16];

    public TValue[] Values { get; private set; } = new TValue[16];

    public int Count { get; private set; }

    public void Reset(BatchTime time)
    {
        Time = time;
        Count = 0;
    }

    public void Clear(bool valuesHoldReferences)
    {
        if (valuesHoldReferences)
        {
            Array.Clear(Values, 0, Count);
        }

        Count = 0;
    }

    /// <summary>Appends (id, value); returns its position.</summary>
    public int Add(int id, TValue value)
    {
        if (Count == Ids.Length)
        {
            var ids = Ids;
            var values = Values;
            Array.Resize(ref ids, Count * 2);
            Array.Resize(ref values, Count * 2);
            Ids = ids;
            Values = values;
        }

        Ids[Count] = id;
        Values[Count] = value;
        return Count++;
    }
}
