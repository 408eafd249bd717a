using System.Buffers;
using System.Text;

namespace Pipelines;

/// <summary>What <see cref="LineReader"/> read: a line, a line skipped for being too long, or the end of the input.</summary>
/// <param name="Line">The line (without its line end), or <c>null</c>.</param>
/// <param name="SkippedBytes">For a skipped line: its length in bytes (without its line end); otherwise 0.</param>
/// <param name="LineNumber">The line's number, from 1.</param>
internal readonly record struct LineRead(string? Line, long SkippedBytes, long LineNumber)
{
    public bool IsEnd => Line is null && SkippedBytes == 0;

    public bool IsTooLong => SkippedBytes > 0;
}

/// <summary>
/// Reads UTF-8 lines from a stream as <see cref="StreamReader.ReadLine()"/> does ("\n", "\r" or "\r\n" end a line;
/// the last line needs no line end; invalid bytes become U+FFFD) but holds at most <c>maxLineBytes</c> of one line
/// in memory: a longer line is read through and dropped, and reported as <see cref="LineRead.IsTooLong"/>. Memory
/// stays bounded (a 64 KiB read buffer plus one line) whatever the stream holds.
/// </summary>
internal sealed class LineReader : IDisposable
{
    /// <summary>The default size of the pooled read buffer.</summary>
    public const int DefaultReadBufferSize = 64 * 1024;
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    private readonly Stream _stream;
    private readonly ArrayPool<byte> _pool;
    private readonly int _maxLineBytes;
    private byte[] _buffer;
    private byte[] _line = [];
    private int _start;
    private int _end;
    private int _lineLength;
    private long _skipped;
    private long _lineNumber;
    private bool _inLine;
    private bool _afterCarriageReturn;
    private bool _atStart;
    private readonly bool _skipByteOrderMark;
    private bool _ended;

    /// <summary>Creates a reader of <paramref name="stream"/> (not owned) that keeps lines of at most <paramref name="maxLineBytes"/> bytes.</summary>
    /// <param name="stream">The stream to read.</param>
    /// <param name="maxLineBytes">The longest line kept, in bytes.</param>
    /// <param name="skipByteOrderMark">Whether a UTF-8 byte order mark at the very start is dropped (as <see cref="File.ReadAllLines(string)"/> does).</param>
    /// <param name="readBufferSize">The size of the pooled read buffer (one read from the stream fills at most this much).</param>
    /// <param name="pool">The pool of the read buffer and of a line held across reads (default: the shared pool).</param>
    public LineReader(Stream stream, int maxLineBytes, bool skipByteOrderMark = false, int readBufferSize = DefaultReadBufferSize, ArrayPool<byte>? pool = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(readBufferSize);
        _pool = pool ?? ArrayPool<byte>.Shared;
        _buffer = _pool.Rent(readBufferSize);
        _stream = stream;
        _maxLineBytes = maxLineBytes;
        _skipByteOrderMark = skipByteOrderMark;
        _atStart = true;
    }

    /// <summary>The bytes read from the stream so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Reads the next line, the next skipped line, or the end.</summary>
    public async ValueTask<LineRead> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryTakeLine(out var read))
            {
                return read;
            }

            OnFilled(await _stream.ReadAsync(_buffer.AsMemory(0, _buffer.Length), cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>Reads the next line, the next skipped line, or the end, blocking.</summary>
    public LineRead ReadLine()
    {
        while (true)
        {
            if (TryTakeLine(out var read))
            {
                return read;
            }

            OnFilled(_stream.Read(_buffer, 0, _buffer.Length));
        }
    }

    /// <summary>
    /// Takes the next line (or skipped line, or the end) from what is already buffered, without reading the stream;
    /// false when the buffered bytes hold no complete line: call <see cref="FillAsync"/> then.
    /// </summary>
    public bool TryReadBufferedLine(out LineRead read) => TryTakeLine(out read);

    /// <summary>Reads the next chunk of the stream into the buffer (after <see cref="TryReadBufferedLine"/> returned false).</summary>
    public async ValueTask FillAsync(CancellationToken cancellationToken) =>
        OnFilled(await _stream.ReadAsync(_buffer.AsMemory(0, _buffer.Length), cancellationToken).ConfigureAwait(false));

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            _pool.Return(buffer);
        }

        var line = Interlocked.Exchange(ref _line, []);
        if (line.Length > 0)
        {
            _pool.Return(line);
        }
    }

    private void OnFilled(int count)
    {
        _start = 0;
        _end = count;
        BytesRead += count;
        _ended = count == 0;
    }

    /// <summary>
    /// Like <see cref="TryReadBufferedLine"/>, but a line comes as its UTF-8 bytes (valid until the next call) instead
    /// of a string: <paramref name="read"/> then has no <see cref="LineRead.Line"/>, and <paramref name="isLine"/> is
    /// true. The caller decodes the bytes (as <see cref="Encoding.UTF8"/> does, invalid bytes to U+FFFD).
    /// </summary>
    public bool TryReadBufferedLineBytes(out ReadOnlySpan<byte> line, out bool isLine, out LineRead read)
    {
        if (!TryTakeLineBytes(out line, out isLine, out var skipped))
        {
            read = default;
            return false;
        }

        read = new LineRead(null, skipped, isLine || skipped > 0 ? _lineNumber : 0);
        return true;
    }

    /// <summary>The UTF-8 decoding every line goes through (invalid bytes become U+FFFD).</summary>
    public static Encoding Encoding => Utf8;

    /// <summary>The number of bytes buffered and not yet taken, plus a line held across reads: the most characters the lines they hold decode to.</summary>
    public int BufferedBytes => _end - _start + _lineLength;

    /// <summary>Takes a line from what is buffered; false when more input is needed.</summary>
    private bool TryTakeLine(out LineRead read)
    {
        if (!TryTakeLineBytes(out var bytes, out var isLine, out var skipped))
        {
            read = default;
            return false;
        }

        read = isLine ? new LineRead(Utf8.GetString(bytes), 0, _lineNumber)
            : skipped > 0 ? new LineRead(null, skipped, _lineNumber)
            : default;
        return true;
    }

    /// <summary>
    /// Takes a line's bytes (<paramref name="isLine"/>), a skipped line (<paramref name="skipped"/> &gt; 0) or the end
    /// (neither) from what is buffered; false when more input is needed.
    /// </summary>
    private bool TryTakeLineBytes(out ReadOnlySpan<byte> line, out bool isLine, out long skipped)
    {
        line = default;
        isLine = false;
        skipped = 0;
        if (_start == _end)
        {
            if (!_ended)
            {
                return false;
            }

            // End of input: a last line without a line end is still a line.
            if (_inLine)
            {
                isLine = EndLine(out line, out skipped);
            }

            return true;
        }

        var span = _buffer.AsSpan(_start, _end - _start);
        if (_atStart)
        {
            _atStart = false;
            if (_skipByteOrderMark && span.StartsWith("\uFEFF"u8))
            {
                _start += 3;
                span = span[3..];
            }
        }

        if (_afterCarriageReturn)
        {
            _afterCarriageReturn = false;
            if (span.Length > 0 && span[0] == (byte)'\n')
            {
                _start++;
                span = span[1..];
            }
        }

        var end = span.IndexOfAny((byte)'\n', (byte)'\r');
        if (end < 0)
        {
            if (span.Length > 0)
            {
                Append(span);
            }

            _start = _end;
            return false;
        }

        if (!_inLine && _skipped == 0 && end <= _maxLineBytes)
        {
            // The whole line is in the buffer: take it from there.
            line = span[..end];
            isLine = true;
            _lineNumber++;
        }
        else
        {
            Append(span[..end]);
            isLine = EndLine(out line, out skipped);
        }

        _afterCarriageReturn = span[end] == (byte)'\r';
        _start += end + 1;
        return true;
    }

    private void Append(ReadOnlySpan<byte> part)
    {
        _inLine = true;
        if (_skipped > 0)
        {
            _skipped += part.Length;
            return;
        }

        if ((long)_lineLength + part.Length > _maxLineBytes)
        {
            // Too long: drop what is held and only count the rest.
            _skipped = (long)_lineLength + part.Length;
            _lineLength = 0;
            var line = Interlocked.Exchange(ref _line, []);
            if (line.Length > 0)
            {
                _pool.Return(line);
            }

            return;
        }

        if (_lineLength + part.Length > _line.Length)
        {
            var grown = _pool.Rent((int)Math.Min(_maxLineBytes, Math.Max(2L * _line.Length, (long)_lineLength + part.Length)));
            _line.AsSpan(0, _lineLength).CopyTo(grown);
            if (_line.Length > 0)
            {
                _pool.Return(_line);
            }

            _line = grown;
        }

        part.CopyTo(_line.AsSpan(_lineLength));
        _lineLength += part.Length;
    }

    /// <summary>Ends the line held across reads: true with its bytes (valid until the next append), false when it was skipped.</summary>
    private bool EndLine(out ReadOnlySpan<byte> line, out long skipped)
    {
        _inLine = false;
        _lineNumber++;
        if (_skipped > 0)
        {
            skipped = _skipped;
            _skipped = 0;
            line = default;
            return false;
        }

        skipped = 0;
        line = _line.AsSpan(0, _lineLength);
        _lineLength = 0;
        return true;
    }
}
