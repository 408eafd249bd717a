namespace Pipelines;

/// <summary>
/// Measures one stream's computation for <see cref="IStreamingListener.OnStreamComputed"/>, only while a listener
/// asks for it: two clock reads per stream per batch, nothing per record. Streams compute their inputs inside their
/// own computation, so the time of the streams computed on the way (kept per thread) is subtracted to give each
/// stream its own time.
/// </summary>
internal struct StreamTimer
{
    [ThreadStatic]
    private static long t_nestedTicks;

    private readonly TimeProvider? _clock;
    private readonly long _started;
    private readonly long _outerNested;
    private long _total;
    private long _own;

    private StreamTimer(TimeProvider clock)
    {
        _clock = clock;
        _outerNested = t_nestedTicks;
        t_nestedTicks = 0;
        _started = clock.GetTimestamp();
    }

    /// <summary>Starts timing <paramref name="stream"/> when a listener wants stream timings; otherwise a timer that does nothing.</summary>
    public static StreamTimer Start(DStream stream) =>
        stream.Context.Listeners.WantsStreamTimings && stream.GraphId >= 0 ? new StreamTimer(stream.Context.TimeProvider) : default;

    /// <summary>Stops the clock (call it once, in a <c>finally</c>): the enclosing stream learns how long this one took.</summary>
    public void Stop()
    {
        if (_clock is null)
        {
            return;
        }

        var total = _clock.GetTimestamp() - _started;
        _own = Math.Max(0, total - t_nestedTicks);
        _total = total;
        t_nestedTicks = _outerNested + total;
    }

    /// <summary>Raises <see cref="IStreamingListener.OnStreamComputed"/> for a stream that computed <paramref name="batch"/>.</summary>
    public readonly void Report<T>(DStream stream, BatchTime time, Batch<T>? batch)
    {
        if (_clock is null)
        {
            return;
        }

        var frequency = (double)_clock.TimestampFrequency;
        stream.Context.Listeners.StreamComputed(new StreamComputedInfo(
            time,
            stream.GraphId,
            stream.Name,
            batch?.Count ?? 0,
            batch?.PartitionCount ?? 0,
            TimeSpan.FromTicks((long)(_own * TimeSpan.TicksPerSecond / frequency)),
            TimeSpan.FromTicks((long)(_total * TimeSpan.TicksPerSecond / frequency))));
    }
}
