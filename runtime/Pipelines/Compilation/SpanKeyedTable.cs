using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Pipelines.Compilation;

/// <summary>
/// The per-batch hash table of generated word counts: values keyed by words given as spans, keys listed in the
/// order they were first seen in the batch. Words stay known across batches, so a word seen before costs no
/// allocation; only a word never seen allocates its string. Called by generated code only.
/// </summary>
/// <remarks>
/// Known words are forgotten (and allocated again when they come back) when the table holds more than
/// <see cref="ForgetThreshold"/> words and more than four times the distinct words of the last batch, so a
/// stream with a drifting vocabulary does not grow the table forever.
/// </remarks>
/// <typeparam name="TValue">The per-word value (a count or a reduced value).</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class SpanKeyedTable<TValue>
{
    /// <summary>The number of known words above which the table may forget the words of earlier batches.</summary>
    public const int ForgetThreshold = 1 << 16;

    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private string[] _keys = [];
    private TValue[] _values = [];
    private int[] _stamps = [];
    private int _slots;
    private int[] _order = [];
    private int _count;
    private int _stamp;

    /// <summary>Creates an empty table.</summary>
    public SpanKeyedTable() => _lookup = _index.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The number of distinct words in the current batch.</summary>
    public int Count => _count;

    /// <summary>Starts a new batch: no word has a value in it yet.</summary>
    public void BeginBatch()
    {
        if ((_slots > ForgetThreshold && _slots > 4 * _count) || _stamp == int.MaxValue)
        {
            _index.Clear();
            Array.Clear(_keys, 0, _slots);
            Array.Clear(_values, 0, _slots);
            _slots = 0;
            _stamp = 0;
        }

        _stamp++;
        _count = 0;
    }

    /// <summary>
    /// The value of <paramref name="word"/> in the current batch; <paramref name="seen"/> tells whether the word
    /// already occurred in this batch (otherwise the value is <c>default</c> and the word is listed last).
    /// </summary>
    public ref TValue GetValueRef(ReadOnlySpan<char> word, out bool seen)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_lookup, word, out var known);
        if (!known)
        {
            slot = AddSlot(word);
        }

        var index = slot;
        if (_stamps[index] == _stamp)
        {
            seen = true;
            return ref _values[index];
        }

        _stamps[index] = _stamp;
        _values[index] = default!;
        if (_count == _order.Length)
        {
            Array.Resize(ref _order, Math.Max(16, _order.Length * 2));
        }

        _order[_count++] = index;
        seen = false;
        return ref _values[index];
    }

    /// <summary>The word at position <paramref name="index"/> (first-seen order) of the current batch.</summary>
    public string GetKey(int index) => _keys[_order[index]];

    /// <summary>The value of the word at position <paramref name="index"/> of the current batch.</summary>
    public TValue GetValue(int index) => _values[_order[index]];

    private int AddSlot(ReadOnlySpan<char> word)
    {
        if (_slots == _keys.Length)
        {
            var size = Math.Max(16, _keys.Length * 2);
            Array.Resize(ref _keys, size);
            Array.Resize(ref _values, size);
            Array.Resize(ref _stamps, size);
        }

        _lookup.TryGetValue(word, out var key, out _);
        var index = _slots++;
        _keys[index] = key!;
        _stamps[index] = 0;
        return index;
    }
}
