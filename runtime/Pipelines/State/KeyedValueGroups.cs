using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pipelines.Stateful;

/// <summary>
/// A batch's values grouped by key for the keyed state streams, in flat reusable tables: the key -> group
/// table and the per-group counts live across batches, and each group's values are one exactly-sized array
/// (the only allocation per key, since the user's function may keep the list it is given).
/// </summary>
internal sealed class KeyedValueGroups<TKey, TValue>
    where TKey : notnull
{
    private readonly Dictionary<TKey, int> _index = [];
    private TKey[] _keys = new TKey[16];
    private TValue[][] _values = new TValue[16][];
    private int[] _counts = new int[16];
    private bool[] _taken = new bool[16];
    private int[] _recordGroups = new int[16];
    private int _groupCount;

    /// <summary>Groups <paramref name="records"/> by key, in arrival order; returns the number of groups.</summary>
    public int Group(ReadOnlySpan<(TKey Key, TValue Value)> records)
    {
        _index.Clear();
        _groupCount = 0;
        if (_recordGroups.Length < records.Length)
        {
            _recordGroups = new int[Math.Max(records.Length, _recordGroups.Length * 2)];
        }

        for (var i = 0; i < records.Length; i++)
        {
            ref var group = ref CollectionsMarshal.GetValueRefOrAddDefault(_index, records[i].Key, out var exists);
            if (!exists)
            {
                group = _groupCount++;
                if (group == _keys.Length)
                {
                    Array.Resize(ref _keys, group * 2);
                    Array.Resize(ref _values, group * 2);
                    Array.Resize(ref _counts, group * 2);
                    Array.Resize(ref _taken, group * 2);
                }

                _keys[group] = records[i].Key;
                _counts[group] = 0;
                _taken[group] = false;
            }

            _counts[group]++;
            _recordGroups[i] = group;
        }

        for (var group = 0; group < _groupCount; group++)
        {
            _values[group] = new TValue[_counts[group]];
            _counts[group] = 0;
        }

        for (var i = 0; i < records.Length; i++)
        {
            var group = _recordGroups[i];
            _values[group][_counts[group]++] = records[i].Value;
        }

        return _groupCount;
    }

    /// <summary>The values of <paramref name="key"/> (empty when it has none), marking its group as taken.</summary>
    public IReadOnlyList<TValue> TakeValues(TKey key)
    {
        if (_groupCount == 0 || !_index.TryGetValue(key, out var group))
        {
            return [];
        }

        _taken[group] = true;
        return _values[group];
    }

    /// <summary>Whether <see cref="TakeValues"/> returned the group's values.</summary>
    public bool WasTaken(int group) => _taken[group];

    /// <summary>The key of <paramref name="group"/>.</summary>
    public TKey KeyOf(int group) => _keys[group];

    /// <summary>The values of <paramref name="group"/>.</summary>
    public IReadOnlyList<TValue> ValuesOf(int group) => _values[group];

    /// <summary>Lets go of the batch's keys and values.</summary>
    public void Clear()
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<TKey>())
        {
            Array.Clear(_keys, 0, _groupCount);
        }

        Array.Clear(_values, 0, _groupCount);
        _index.Clear();
        _groupCount = 0;
    }
}

/// <summary>A scratch array reused across batches.</summary>
internal sealed class ScratchArray<T>
{
    private T[] _items = [];

    /// <summary>An array of at least <paramref name="length"/> items.</summary>
    public T[] Rent(int length)
    {
        if (_items.Length < length)
        {
            _items = new T[Math.Max(length, _items.Length * 2)];
        }

        return _items;
    }

    /// <summary>Lets go of the first <paramref name="count"/> items.</summary>
    public void Clear(int count)
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            Array.Clear(_items, 0, Math.Min(count, _items.Length));
        }
    }
}
