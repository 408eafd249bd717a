namespace Pipelines;

/// <summary>How <see cref="StreamingContext.SocketTextStream"/> connects and reconnects.</summary>
public sealed class SocketTextStreamOptions
{
    /// <summary>
    /// How many connection attempts in a row may fail before the receiver gives up (default 10). After a lost
    /// connection the count starts again; the wait between attempts doubles from
    /// <see cref="InitialReconnectDelay"/> up to <see cref="MaxReconnectDelay"/>.
    /// </summary>
    public int MaxReconnectAttempts
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(MaxReconnectAttempts));
            field = value;
        }
    } = 10;

    /// <summary>The wait before the first reconnection attempt (default 200 ms).</summary>
    public TimeSpan InitialReconnectDelay
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero, nameof(InitialReconnectDelay));
            field = value;
        }
    } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait between reconnection attempts (default 10 s).</summary>
    public TimeSpan MaxReconnectDelay
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero, nameof(MaxReconnectDelay));
            field = value;
        }
    } = TimeSpan.FromSeconds(10);

    /// <summary>How long one connection attempt may take before it counts as failed (default 10 s).</summary>
    public TimeSpan ConnectTimeout
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero, nameof(ConnectTimeout));
            field = value;
        }
    } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The size of the pooled buffer one read from the socket fills (default 256 KiB, at least 1 KiB). Every line
    /// completed by a read is decoded once and handed to the stream together with the others of that read, so a
    /// larger buffer means fewer hand-overs per line under a high input rate; memory per connection is this
    /// buffer plus, for a line split across reads, that line (up to <see cref="StreamingOptions.MaxRecordLength"/>).
    /// </summary>
    public int ReadBufferSize
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1024, nameof(ReadBufferSize));
            field = value;
        }
    } = 256 * 1024;

    /// <summary>The pool the receiver rents its read buffers from (tests count rentals and returns with their own).</summary>
    internal System.Buffers.ArrayPool<byte> BufferPool { get; init; } = System.Buffers.ArrayPool<byte>.Shared;

    /// <summary>The pool of the decoded lines' character buffers (tests count rentals and returns with their own).</summary>
    internal System.Buffers.ArrayPool<char> CharPool { get; init; } = System.Buffers.ArrayPool<char>.Shared;

    /// <summary>The pool of the decoded lines' line-end arrays (tests count rentals and returns with their own).</summary>
    internal System.Buffers.ArrayPool<int> LineEndPool { get; init; } = System.Buffers.ArrayPool<int>.Shared;

    /// <summary>The wait before attempt number <paramref name="failures"/> + 1 after <paramref name="failures"/> failures in a row.</summary>
    internal TimeSpan ReconnectDelay(int failures)
    {
        var delay = InitialReconnectDelay;
        for (var i = 1; i < failures && delay < MaxReconnectDelay; i++)
        {
            delay += delay;
        }

        return delay < MaxReconnectDelay ? delay : MaxReconnectDelay;
    }
}
