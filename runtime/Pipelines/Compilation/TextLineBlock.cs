using System.Buffers;
using System.Runtime.CompilerServices;

namespace Pipelines.Compilation;

/// <summary>
/// Text lines held in pooled buffers, as a socket text stream decodes them: the characters of every line one after
/// the other (without line ends) and, for each line, where it ends. Line <c>i</c> is
/// <c>Chars[LineEnds[i - 1]..LineEnds[i]]</c> (from 0 for the first line).
/// </summary>
/// <remarks>
/// Read a batch's blocks through <see cref="TextLineBlocks.TryGet"/>. A block is valid while its batch is (the
/// buffers return to their pool when the stream forgets the batch): never keep a span of it beyond the call that
/// received the batch. Copy what must live longer (e.g. <c>new string(span)</c>).
/// </remarks>
public sealed class TextLineBlock
{
    private readonly ArrayPool<char> _charPool;
    private readonly ArrayPool<int> _endPool;
    private char[] _chars;
    private int[] _ends;
    private int _released;

    internal TextLineBlock(char[] chars, int charCount, int[] ends, int lineCount, ArrayPool<char> charPool, ArrayPool<int> endPool)
    {
        _chars = chars;
        _ends = ends;
        CharCount = charCount;
        LineCount = lineCount;
        _charPool = charPool;
        _endPool = endPool;
    }

    /// <summary>The number of lines.</summary>
    public int LineCount { get; }

    /// <summary>The number of characters of all lines together.</summary>
    public int CharCount { get; }

    /// <summary>The characters of all lines, one after the other, without line ends.</summary>
    public ReadOnlySpan<char> Chars => new(_chars, 0, CharCount);

    /// <summary>For each line, the index in <see cref="Chars"/> just after its last character.</summary>
    public ReadOnlySpan<int> LineEnds => new(_ends, 0, LineCount);

    /// <summary>The characters of line <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not a line of this block.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<char> GetLine(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)LineCount, nameof(index));
        var start = index == 0 ? 0 : _ends[index - 1];
        return new ReadOnlySpan<char>(_chars, start, _ends[index] - start);
    }

    /// <summary>Writes every line as a new string into <paramref name="destination"/>, in order.</summary>
    internal void CopyStringsTo(Span<string> destination)
    {
        var start = 0;
        for (var i = 0; i < LineCount; i++)
        {
            var end = _ends[i];
            destination[i] = new string(_chars, start, end - start);
            start = end;
        }
    }

    /// <summary>Returns the buffers to their pools (once; later calls do nothing).</summary>
    internal void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        var chars = _chars;
        var ends = _ends;
        _chars = [];
        _ends = [];
        _charPool.Return(chars);
        _endPool.Return(ends);
    }
}
