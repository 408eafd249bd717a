using System.Buffers;
using Pipelines.Compilation;

namespace Pipelines.Receivers;

/// <summary>
/// Decodes the lines of one read into <see cref="TextLineBlock"/>s: each line's UTF-8 bytes once into a pooled
/// character buffer (sized by the bytes buffered, which bound the characters they decode to, up to
/// <see cref="MaxBlockChars"/>), its end into a pooled array of line ends. When the next line does not fit
/// (<see cref="HasRoomFor"/>), the caller takes the block and the next one begins. <see cref="Take"/> hands a block
/// over; <see cref="Dispose"/> returns what was not taken.
/// </summary>
internal sealed class TextLineBlockWriter(ArrayPool<char> charPool, ArrayPool<int> endPool) : IDisposable
{
    /// <summary>
    /// The most characters a block is sized for (64 KiB of chars): below the large-object heap's threshold, so a
    /// buffer the pool does not keep is an ordinary young allocation, and within the shared pool's cached sizes.
    /// A longer line gets a block of its own size.
    /// </summary>
    public const int MaxBlockChars = 32 * 1024;

    private const int MinimumLineEnds = 256;
    private char[]? _chars;
    private int[] _ends = [];
    private int _charCount;
    private int _lineCount;

    public int LineCount => _lineCount;

    /// <summary>Whether a line of <paramref name="bytes"/> UTF-8 bytes fits in the current block (always true before one begins).</summary>
    public bool HasRoomFor(int bytes) => _chars is null || _chars.Length - _charCount >= bytes;

    /// <summary>Adds a line; <paramref name="bufferedBytes"/> (the bytes still to read) sizes a new block's buffer.</summary>
    public void Add(ReadOnlySpan<byte> line, int bufferedBytes)
    {
        if (_chars is null)
        {
            _chars = charPool.Rent(Math.Max(Math.Min(line.Length + bufferedBytes, MaxBlockChars), Math.Max(line.Length, 16)));
            _ends = endPool.Rent(Math.Clamp(Math.Min(bufferedBytes, MaxBlockChars) / 16, MinimumLineEnds, 4096));
        }
        else if (_chars.Length - _charCount < line.Length)
        {
            // Not reached when the caller checks HasRoomFor; grow rather than fail.
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
