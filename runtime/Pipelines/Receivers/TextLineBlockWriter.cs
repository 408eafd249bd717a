using System.Buffers;
using Pipelines.Compilation;

namespace Pipelines.Receivers;

/// <summary>
/// Decodes the lines of one read into a <see cref="TextLineBlock"/>: each line's UTF-8 bytes once into a pooled
/// character buffer (sized by the bytes buffered, which bound the characters they decode to), its end into a pooled
/// array of line ends. <see cref="Take"/> hands the block over; <see cref="Dispose"/> returns what was not taken.
/// </summary>
internal sealed class TextLineBlockWriter(ArrayPool<char> charPool, ArrayPool<int> endPool) : IDisposable
{
    private const int MinimumLineEnds = 256;
    private char[]? _chars;
    private int[] _ends = [];
    private int _charCount;
    private int _lineCount;

    public int LineCount => _lineCount;

    /// <summary>Adds a line; <paramref name="bufferedBytes"/> (the bytes still to read) sizes a new block's buffer.</summary>
    public void Add(ReadOnlySpan<byte> line, int bufferedBytes)
    {
        if (_chars is null)
        {
            _chars = charPool.Rent(Math.Max(line.Length + bufferedBytes, 16));
            _ends = endPool.Rent(Math.Clamp(bufferedBytes / 16, MinimumLineEnds, 64 * 1024));
        }
        else if (_chars.Length - _charCount < line.Length)
        {
            // Not reached when the block began with every buffered byte counted; grow rather than fail.
            var grown = charPool.Rent(Math.Max(2 * _chars.Length, _charCount + line.Length));
            _chars.AsSpan(0, _charCount).CopyTo(grown);
            charPool.Return(_chars);
            _chars = grown;
        }

        if (_lineCount == _ends.Length)
        {
            var grown = endPool.Rent(2 * _ends.Length);
            _ends.AsSpan(0, _lineCount).CopyTo(grown);
            endPool.Return(_ends);
            _ends = grown;
        }

        _charCount += LineReader.Encoding.GetChars(line, _chars.AsSpan(_charCount));
        _ends[_lineCount++] = _charCount;
    }

    /// <summary>The lines added since the last take as a block (owning the buffers), or <c>null</c> when there are none.</summary>
    public TextLineBlock? Take()
    {
        if (_chars is null)
        {
            return null;
        }

        var block = new TextLineBlock(_chars, _charCount, _ends, _lineCount, charPool, endPool);
        _chars = null;
        _ends = [];
        _charCount = 0;
        _lineCount = 0;
        return block;
    }

    public void Dispose() => Take()?.Release();
}
