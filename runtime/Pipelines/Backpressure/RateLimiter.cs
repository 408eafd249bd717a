namespace Pipelines.Backpressure;

/// <summary>
/// A token bucket that bounds how fast a receiver stores records (as Spark's receiver rate limiter, which wraps
/// Guava's): up to one second's worth of permits can be saved while idle; beyond that, each reservation tells
/// the caller how long to wait. Time comes from the context's <see cref="TimeProvider"/>.
/// </summary>
internal sealed class RateLimiter
{
    private readonly TimeProvider _clock;
    private readonly long _start;
    private double _rate;
    private double _storedPermits;
    private double _nextFreeSeconds;

    public RateLimiter(TimeProvider clock, double? rate)
    {
        _clock = clock;
        _start = clock.GetTimestamp();
        _rate = rate ?? double.PositiveInfinity;
    }

    /// <summary>The current rate in records per second (<see cref="double.PositiveInfinity"/> when unlimited).</summary>
    public double Rate
    {
        get
        {
            lock (this)
            {
                return _rate;
            }
        }
    }

    /// <summary>Changes the rate; permits already saved are kept up to one second's worth of the new rate.</summary>
    public void SetRate(double rate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        lock (this)
        {
            Resync(NowSeconds());
            _rate = rate;
            _storedPermits = Math.Min(_storedPermits, rate);
        }
    }

    /// <summary>Takes <paramref name="permits"/> permits; returns how long the caller must wait before using them.</summary>
    public TimeSpan Reserve(int permits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(permits);
        lock (this)
        {
            if (double.IsPositiveInfinity(_rate) || permits == 0)
            {
                return TimeSpan.Zero;
            }

            var now = NowSeconds();
            Resync(now);
            var wait = Math.Max(0, _nextFreeSeconds - now);
            var fromStored = Math.Min(permits, _storedPermits);
            _storedPermits -= fromStored;
            _nextFreeSeconds += (permits - fromStored) / _rate;
            return TimeSpan.FromSeconds(wait);
        }
    }

    /// <summary>Takes permits and blocks the calling (receiver) thread until they may be used.</summary>
    public void Acquire(int permits, CancellationToken cancellationToken)
    {
        var wait = Reserve(permits);
        if (wait > TimeSpan.Zero)
        {
            try
            {
                Task.Delay(wait, _clock, cancellationToken).Wait(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Stopping: the record is still stored; the receiver sees IsStopped next.
            }
        }
    }

    private double NowSeconds() => _clock.GetElapsedTime(_start).TotalSeconds;

    private void Resync(double now)
    {
        if (now > _nextFreeSeconds)
        {
            _storedPermits = Math.Min(_rate, _storedPermits + ((now - _nextFreeSeconds) * _rate));
            _nextFreeSeconds = now;
        }
    }
}
