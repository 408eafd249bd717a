using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pipelines.Stateful;

/// <summary>
/// The keyed state of one partition as flat data: every key is interned once into an id, and its state and the
/// batch that last updated it live in arrays indexed by that id, updated in place. A removed key's id goes to a
/// free list and is the first one the next new key takes, so ids are visited (<see cref="SlotCount"/>,
/// <see cref="IsLive"/>) in the same order a <see cref="Dictionary{TKey, TValue}"/> would enumerate the keys.
/// </summary>
/// <remarks>Not thread-safe: one partition's table is read and written by one task at a time.</remarks>
internal sealed class KeyedStateTable<TKey, TState>
    where TKey : notnull
{
    private static readonly bool KeysHoldReferences = RuntimeHelpers.IsReferenceOrContainsReferences<TKey>();
    private static readonly bool StatesHoldReferences = RuntimeHelpers.IsReferenceOrContainsReferences<TState>();

    private readonly Dictionary<TKey, int> _ids;
    private TKey[] _keys;
    private TState[] _states;
    private long[] _lastUpdated;
    private int[] _nextFree; // -2: live; otherwise the next id of the free list (-1 ends it)
    private int _slots;
    private int _freeHead = -1;

    public KeyedStateTable(int capacity = 16)
    {
        capacity = Math.Max(capacity, 4);
        _ids = new Dictionary<TKey, int>(capacity);
        _keys = new TKey[capacity];
        _states = new TState[capacity];
        _lastUpdated = new long[capacity];
        _nextFree = new int[capacity];
    }

    /// <summary>The number of keys with a state.</summary>
    public int Count => _ids.Count;

    /// <summary>Ids are in [0, SlotCount); check <see cref="IsLive"/> before reading one.</summary>
    public int SlotCount => _slots;

    /// <summary>Whether <paramref name="id"/> holds a key.</summary>
    public bool IsLive(int id) => _nextFree[id] == -2;

    /// <summary>The key of a live id.</summary>
    public TKey KeyAt(int id) => _keys[id];

    /// <summary>The state of a live id (writable in place).</summary>
    public ref TState StateAt(int id) => ref _states[id];

    /// <summary>The batch that last updated a live id.</summary>
    public BatchTime LastUpdatedAt(int id) => new(_lastUpdated[id]);

    /// <summary>The id of <paramref name="key"/>, or -1 when it has no state.</summary>
    public int IdOf(TKey key) => _ids.TryGetValue(key, out var id) ? id : -1;

    /// <summary>Sets the state of <paramref name="key"/>, adding the key when it has none; returns its id.</summary>
    public int Set(TKey key, TState state, BatchTime time)
    {
        ref var id = ref CollectionsMarshal.GetValueRefOrAddDefault(_ids, key, out var exists);
        if (!exists)
        {
            id = NewId();
            _keys[id] = key;
        }

        _states[id] = state;
        _lastUpdated[id] = time.Milliseconds;
        return id;
    }

    /// <summary>Sets the state of a live id.</summary>
    public void SetAt(int id, TState state, BatchTime time)
    {
        _states[id] = state;
        _lastUpdated[id] = time.Milliseconds;
    }

    /// <summary>Removes <paramref name="key"/>'s state, if it has one.</summary>
    public void Remove(TKey key)
    {
        if (_ids.Remove(key, out var id))
        {
            Free(id);
        }
    }

    /// <summary>Removes the state of a live id.</summary>
    public void RemoveAt(int id)
    {
        _ids.Remove(_keys[id]);
        Free(id);
    }

    /// <summary>Removes every key.</summary>
    public void Clear()
    {
        _ids.Clear();
        if (KeysHoldReferences)
        {
            Array.Clear(_keys, 0, _slots);
        }

        if (StatesHoldReferences)
        {
            Array.Clear(_states, 0, _slots);
        }

        _slots = 0;
        _freeHead = -1;
    }

    /// <summary>Appends every key and state to <paramref name="output"/>, in id order.</summary>
    public void CopyTo(BatchBuilder<(TKey Key, TState State)> output)
    {
        output.EnsureCapacity(output.Count + Count);
        for (var id = 0; id < _slots; id++)
        {
            if (_nextFree[id] == -2)
            {
                output.Add((_keys[id], _states[id]));
            }
        }
    }

    /// <summary>Writes every key and state into <paramref name="destination"/> from <paramref name="start"/>, in id order; returns the next index.</summary>
    public int CopyTo((TKey Key, TState State)[] destination, int start)
    {
        for (var id = 0; id < _slots; id++)
        {
            if (_nextFree[id] == -2)
            {
                destination[start++] = (_keys[id], _states[id]);
            }
        }

        return start;
    }

    /// <summary>Appends every entry to <paramref name="entries"/>, in id order.</summary>
    public void ExportTo(List<KeyedStateEntry<TKey, TState>> entries)
    {
        for (var id = 0; id < _slots; id++)
        {
            if (_nextFree[id] == -2)
            {
                entries.Add(new KeyedStateEntry<TKey, TState>(_keys[id], _states[id], new BatchTime(_lastUpdated[id])));
            }
        }
    }

    private int NewId()
    {
        int id;
        if (_freeHead >= 0)
        {
            id = _freeHead;
            _freeHead = _nextFree[id];
        }
        else
        {
            if (_slots == _keys.Length)
            {
                var length = _slots * 2;
                Array.Resize(ref _keys, length);
                Array.Resize(ref _states, length);
                Array.Resize(ref _lastUpdated, length);
                Array.Resize(ref _nextFree, length);
            }

            id = _slots++;
        }

        _nextFree[id] = -2;
        return id;
    }

    private void Free(int id)
    {
        if (KeysHoldReferences)
        {
            _keys[id] = default!;
        }

        if (StatesHoldReferences)
        {
            _states[id] = default!;
        }

        _nextFree[id] = _freeHead;
        _freeHead = id;
    }
}
