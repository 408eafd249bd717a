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
