using System.Diagnostics.CodeAnalysis;

namespace Pipelines.Benchmarks.WindowedWordCount;

/// <summary>
/// The W7 baseline: the windowed word count a careful user writes by hand. Words are sliced out of each line
/// as spans and interned once into slots (the <see cref="WordCount.SpanWordCounter"/> technique); the window is
/// incremental: a ring of the last <c>window</c> batches' (slot, count) partials, added when a batch enters
/// and subtracted when it leaves, and one count per slot for the whole window. Nothing is allocated once the
/// vocabulary is known and the ring has grown to its size.
/// </summary>
public sealed class HandWindowedWordCounter
{
    private readonly Dictionary<string, int> _slots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private string[] _words = new string[1024];
    private int[] _windowCounts = new int[1024];
    private int[] _batchCounts = new int[1024];
    private int[] _touched = new int[1024];
    private (int Slot, int Count)[][] _ring = [];
    private int[] _ringLengths = [];

    /// <summary>Creates a counter with an empty vocabulary.</summary>
    public HandWindowedWordCounter() => _lookup = _slots.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Runs the windowed count over <paramref name="batches"/> and writes every window to <paramref name="sink"/>.</summary>
    public void Run(string[][] batches, int window, IWindowedCountSink sink)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        Array.Clear(_windowCounts);
        if (_ring.Length != window)
        {
            _ring = new (int, int)[window][];
            _ringLengths = new int[window];
            for (var i = 0; i < window; i++)
            {
                _ring[i] = new (int, int)[256];
            }
        }

        Array.Clear(_ringLengths);
        for (var t = 0; t < batches.Length; t++)
        {
            var touched = CountBatch(batches[t]);
            var entry = t % window;

            // The batch leaving the window: subtract its partial counts.
            var leaving = _ring[entry];
            for (var i = 0; i < _ringLengths[entry]; i++)
            {
                _windowCounts[leaving[i].Slot] -= leaving[i].Count;
            }

            // The batch entering: keep its partial counts in the ring and add them.
            if (_ring[entry].Length < touched)
            {
                _ring[entry] = new (int, int)[Math.Max(touched, _ring[entry].Length * 2)];
            }

            var entering = _ring[entry];
            for (var i = 0; i < touched; i++)
            {
                var slot = _touched[i];
                entering[i] = (slot, _batchCounts[slot]);
                _windowCounts[slot] += _batchCounts[slot];
                _batchCounts[slot] = 0;
            }

            _ringLengths[entry] = touched;
            for (var slot = 0; slot < _slots.Count; slot++)
            {
                if (_windowCounts[slot] != 0)
                {
                    sink.Add(t, _words[slot], _windowCounts[slot]);
                }
            }
        }
    }

    /// <summary>Counts one batch into <c>_batchCounts</c>; returns how many slots it touched (listed in <c>_touched</c>).</summary>
    private int CountBatch(string[] lines)
    {
        var touched = 0;
        foreach (var line in lines)
        {
            var rest = line.AsSpan();
            while (true)
            {
                var space = rest.IndexOf(' ');
                var word = space < 0 ? rest : rest[..space];
                if (!word.IsEmpty)
                {
                    if (!_lookup.TryGetValue(word, out var slot))
                    {
                        slot = AddWord(word);
                    }

                    if (_batchCounts[slot]++ == 0)
                    {
                        _touched[touched++] = slot;
                    }
                }

                if (space < 0)
                {
                    break;
                }

                rest = rest[(space + 1)..];
            }
        }

        return touched;
    }

    [SuppressMessage("Performance", "CA1854", Justification = "The slot is added only after a failed lookup.")]
    private int AddWord(ReadOnlySpan<char> word)
    {
        var slot = _slots.Count;
        if (slot == _words.Length)
        {
            Array.Resize(ref _words, slot * 2);
            Array.Resize(ref _windowCounts, slot * 2);
            Array.Resize(ref _batchCounts, slot * 2);
            Array.Resize(ref _touched, slot * 2);
        }

        var text = word.ToString();
        _slots.Add(text, slot);
        _words[slot] = text;
        return slot;
    }
}
