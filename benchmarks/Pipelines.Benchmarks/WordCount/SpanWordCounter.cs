using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Pipelines.Benchmarks.WordCount;

/// <summary>
/// The fastest word count a careful user writes by hand: words are sliced out of each line as spans and looked
/// up through the dictionary's alternate (span) lookup, so a word already seen allocates nothing. The
/// vocabulary is kept across batches (word -> slot), and each batch only resets the slots' counts.
/// </summary>
public sealed class SpanWordCounter
{
    private readonly Dictionary<string, int> _slots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private string[] _words = new string[1024];
    private int[] _counts = new int[1024];

    /// <summary>Creates a counter with an empty vocabulary.</summary>
    public SpanWordCounter() => _lookup = _slots.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Counts the words of one batch; returns the number of distinct words in it.</summary>
    public int Count(ReadOnlySpan<string> lines)
    {
        Reset();
        foreach (var line in lines)
        {
            AddLine(line);
        }

        return Distinct;
    }

    /// <summary>Distinct words counted since <see cref="Reset"/> (line by line with <see cref="AddLine"/>).</summary>
    public int Distinct { get; private set; }

    /// <summary>Starts a new batch for <see cref="AddLine"/>.</summary>
    public void Reset()
    {
        Array.Clear(_counts, 0, _slots.Count);
        Distinct = 0;
    }

    /// <summary>Counts the words of one line given as characters (the socket hand loop decodes into a reused buffer).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // inlined into Count's loop, as the hand loop was written before
    public void AddLine(ReadOnlySpan<char> line)
    {
        var rest = line;
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

                if (_counts[slot]++ == 0)
                {
                    Distinct++;
                }
            }

            if (space < 0)
            {
                break;
            }

            rest = rest[(space + 1)..];
        }
    }

    /// <summary>The last batch's counts, words with a zero count left out.</summary>
    public IEnumerable<(string Word, int Count)> Counts()
    {
        for (var slot = 0; slot < _slots.Count; slot++)
        {
            if (_counts[slot] > 0)
            {
                yield return (_words[slot], _counts[slot]);
            }
        }
    }

    [SuppressMessage("Performance", "CA1854", Justification = "The slot is added only after a failed lookup.")]
    private int AddWord(ReadOnlySpan<char> word)
    {
        var slot = _slots.Count;
        if (slot == _words.Length)
        {
            Array.Resize(ref _words, slot * 2);
            Array.Resize(ref _counts, slot * 2);
        }

        var text = word.ToString();
        _slots.Add(text, slot);
        _words[slot] = text;
        return slot;
    }
}
