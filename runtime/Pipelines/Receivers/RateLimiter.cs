namespace Pipelines.Receivers;

/// <summary>
/// Keeps a receiver to at most a given number of records per second (Spark's <c>spark.streaming.receiver.maxRate</c>):
/// each record reserves the next free slot of 1/rate seconds on the clock, and a record whose slot lies in the
/// future waits for it.
/// </summary>
internal sealed class RateLimiter
{
    private readonly object _gate = new();
    private readonly TimeProvider _clock;
    private readonly long _ticksPerPermit;
    private long _nextFree = long.MinValue;

    public RateLimiter(long permitsPerSecond, TimeProvider clock)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(permitsPerSecond);
        _clock = clock;
        RatePerSecond = permitsPerSecond;
        _ticksPerPermit = Math.Max(1, clock.TimestampFrequency / permitsPerSecond);
    }

    public long RatePerSecond { get; }

    /// <summary>Reserves <paramref name="permits"/> and returns how long the caller must wait before using them.</summary>
    public TimeSpan Reserve(int permits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(permits);
        lock (_gate)
        {
            var now = _clock.GetTimestamp();
            var start = Math.Max(_nextFree, now);
            _nextFree = start + (permits * _ticksPerPermit);
            return start == now ? TimeSpan.Zero : _clock.GetElapsedTime(now, start);
        }
    }

    /// <summary>Reserves <paramref name="permits"/> and waits, on the clock, until they may be used.</summary>
    public void Acquire(int permits, CancellationToken cancellationToken)
    {
        var wait = Reserve(permits);
        if (wait > TimeSpan.Zero)
        {
            Task.Delay(wait, _clock, cancellationToken).GetAwaiter().GetResult();
        }
    }
}
