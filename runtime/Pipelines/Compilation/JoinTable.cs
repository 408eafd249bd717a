using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pipelines.Compilation;

/// <summary>
/// The hash table of generated joins and co-groups: the values of both sides chained per key, keys in the order
/// they were first added. Its arrays are kept across batches (<see cref="Clear"/> empties it without freeing
/// them), so a warm table adds values without allocating. Called by generated code only.
/// </summary>
/// <remarks>
/// Indices: a key index is in [0, <see cref="KeyCount"/>); a value index walks one key's values on one side in
/// the order they were added: start at <see cref="FirstLeft"/> (or <see cref="FirstRight"/>), move with
/// <see cref="NextLeft"/> (or <see cref="NextRight"/>), stop at a negative index.
/// </remarks>
/// <typeparam name="TKey">The join key.</typeparam>
/// <typeparam name="TLeft">The values of the left side.</typeparam>
/// <typeparam name="TRight">The values of the right side.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class JoinTable<TKey, TLeft, TRight>
    where TKey : notnull
{
    private readonly Dictionary<TKey, int> _index = new();
    private TKey[] _keys = [];
    private int _keyCount;
    private ValueChains<TLeft> _left = ValueChains<TLeft>.Create();
    private ValueChains<TRight> _right = ValueChains<TRight>.Create();

    /// <summary>The number of distinct keys added since the last <see cref="Clear"/>.</summary>
    public int KeyCount => _keyCount;

    /// <summary>Empties the table, keeping its capacity.</summary>
    public void Clear()
    {
        _index.Clear();
        if (RuntimeHelpers.IsReferenceOrContainsReferences<TKey>())
        {
            Array.Clear(_keys, 0, _keyCount);
        }

        _keyCount = 0;
        _left.Clear();
        _right.Clear();
    }

    /// <summary>Adds a value of the left side under <paramref name="key"/>.</summary>
    public void AddLeft(TKey key, TLeft value) => _left.Add(KeyIndexOf(key), value);

    /// <summary>Adds a value of the right side under <paramref name="key"/>.</summary>
    public void AddRight(TKey key, TRight value) => _right.Add(KeyIndexOf(key), value);

    /// <summary>Finds the index of <paramref name="key"/>; false when it was not added.</summary>
    public bool TryFindKey(TKey key, out int keyIndex) => _index.TryGetValue(key, out keyIndex);

    /// <summary>The key at <paramref name="keyIndex"/>.</summary>
    public TKey GetKey(int keyIndex) => _keys[keyIndex];

    /// <summary>The index of the key's first left value, or -1 when it has none.</summary>
    public int FirstLeft(int keyIndex) => _left.First[keyIndex];

    /// <summary>The index of the next left value of the same key, or -1 after the last one.</summary>
    public int NextLeft(int valueIndex) => _left.Next[valueIndex];

    /// <summary>The left value at <paramref name="valueIndex"/>.</summary>
    public TLeft GetLeft(int valueIndex) => _left.Values[valueIndex];

    /// <summary>The index of the key's first right value, or -1 when it has none.</summary>
    public int FirstRight(int keyIndex) => _right.First[keyIndex];

    /// <summary>The index of the next right value of the same key, or -1 after the last one.</summary>
    public int NextRight(int valueIndex) => _right.Next[valueIndex];

    /// <summary>The right value at <paramref name="valueIndex"/>.</summary>
    public TRight GetRight(int valueIndex) => _right.Values[valueIndex];

    /// <summary>The number of left values of the key at <paramref name="keyIndex"/>.</summary>
    public int CountLeft(int keyIndex) => _left.CountOf(keyIndex);

    /// <summary>The number of right values of the key at <paramref name="keyIndex"/>.</summary>
    public int CountRight(int keyIndex) => _right.CountOf(keyIndex);

    /// <summary>A new list of the left values of the key at <paramref name="keyIndex"/>, in the order they were added.</summary>
    public List<TLeft> CopyLeft(int keyIndex) => _left.Copy(keyIndex);

    /// <summary>A new list of the right values of the key at <paramref name="keyIndex"/>, in the order they were added.</summary>
    public List<TRight> CopyRight(int keyIndex) => _right.Copy(keyIndex);

    /// <summary>
    /// The (left, right) value index pairs an outer join emits for the key at <paramref name="keyIndex"/>: every
    /// pairing when both sides have values; each left value with -1 (None) when the right side has none and
    /// <paramref name="leftOuter"/>; -1 with each right value when the left side has none and
    /// <paramref name="rightOuter"/>; nothing otherwise. Left values vary slowest.
    /// </summary>
    public Pairings GetPairings(int keyIndex, bool leftOuter, bool rightOuter)
    {
        var left = _left.First[keyIndex];
        var right = _right.First[keyIndex];
        if (left >= 0 && right >= 0)
        {
            return new Pairings(this, left, right, right);
        }

        if (right < 0 && leftOuter)
        {
            return new Pairings(this, left, -1, -1);
        }

        if (left < 0 && rightOuter)
        {
            return new Pairings(this, -1, right, right);
        }

        return new Pairings(this, -1, -1, -1);
    }

    /// <summary>The pairs of <see cref="GetPairings"/>: a struct enumerable, so <c>foreach</c> does not allocate.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public struct Pairings
    {
        private readonly JoinTable<TKey, TLeft, TRight> _table;
        private readonly int _firstRight;
        private int _left;
        private int _right;
        private bool _started;

        internal Pairings(JoinTable<TKey, TLeft, TRight> table, int left, int right, int firstRight)
        {
            _table = table;
            _left = left;
            _right = right;
            _firstRight = firstRight;
            _started = false;
            Current = default;
        }

        /// <summary>The current (left index, right index); -1 stands for None.</summary>
        public (int Left, int Right) Current { get; private set; }

        /// <summary>Returns this enumerator.</summary>
        public readonly Pairings GetEnumerator() => this;

        /// <summary>Moves to the next pair.</summary>
        public bool MoveNext()
        {
            if (!_started)
            {
                _started = true;
                if (_left < 0 && _right < 0)
                {
                    return false;
                }

                Current = (_left, _right);
                return true;
            }

            if (_right >= 0)
            {
                _right = _table._right.Next[_right];
                if (_right >= 0)
                {
                    Current = (_left, _right);
                    return true;
                }

                if (_left < 0)
                {
                    return false;
                }

                _right = _firstRight;
            }

            if (_left < 0)
            {
                return false;
            }

            _left = _table._left.Next[_left];
            if (_left < 0)
            {
                return false;
            }

            Current = (_left, _right);
            return true;
        }
    }

    private int KeyIndexOf(TKey key)
    {
        ref var keyIndex = ref CollectionsMarshal.GetValueRefOrAddDefault(_index, key, out var exists);
        if (exists)
        {
            return keyIndex;
        }

        if (_keyCount == _keys.Length)
        {
            var size = Math.Max(16, _keys.Length * 2);
            Array.Resize(ref _keys, size);
            _left.GrowKeys(size);
            _right.GrowKeys(size);
        }

        keyIndex = _keyCount++;
        _keys[keyIndex] = key;
        _left.StartKey(keyIndex);
        _right.StartKey(keyIndex);
        return keyIndex;
    }

    /// <summary>
    /// One side's values, chained per key in the order they were added: <see cref="First"/>/<c>Last</c> per key
    /// index, <see cref="Next"/> per value index (negative ends a chain). A mutable struct held in a field, so
    /// adding stays as cheap as on plain arrays.
    /// </summary>
    private struct ValueChains<TValue>
    {
        public int[] First;
        public TValue[] Values;
        public int[] Next;
        private int[] _last;
        private int _count;

        public static ValueChains<TValue> Create() => new() { First = [], Values = [], Next = [], _last = [] };

        public void GrowKeys(int size)
        {
            Array.Resize(ref First, size);
            Array.Resize(ref _last, size);
        }

        public readonly void StartKey(int keyIndex)
        {
            First[keyIndex] = -1;
            _last[keyIndex] = -1;
        }

        public void Add(int keyIndex, TValue value)
        {
            if (_count == Values.Length)
            {
                var size = Math.Max(16, Values.Length * 2);
                Array.Resize(ref Values, size);
                Array.Resize(ref Next, size);
            }

            var valueIndex = _count++;
            Values[valueIndex] = value;
            Next[valueIndex] = -1;
            if (_last[keyIndex] < 0)
            {
                First[keyIndex] = valueIndex;
            }
            else
            {
                Next[_last[keyIndex]] = valueIndex;
            }

            _last[keyIndex] = valueIndex;
        }

        public readonly int CountOf(int keyIndex)
        {
            var count = 0;
            for (var i = First[keyIndex]; i >= 0; i = Next[i])
            {
                count++;
            }

            return count;
        }

        public readonly List<TValue> Copy(int keyIndex)
        {
            var list = new List<TValue>(CountOf(keyIndex));
            for (var i = First[keyIndex]; i >= 0; i = Next[i])
            {
                list.Add(Values[i]);
            }

            return list;
        }

        public void Clear()
        {
            if (RuntimeHelpers.IsReferenceOrContainsReferences<TValue>())
            {
                Array.Clear(Values, 0, _count);
            }

            _count = 0;
        }
    }
}
