namespace Pipelines.EventTime;

/// <summary>A record with its event time, in UTC ticks (<see cref="DateTimeOffset.UtcTicks"/>).</summary>
internal readonly record struct Timestamped<T>(long Ticks, T Value);

/// <summary>Conversions between event times and the ticks the event-time operators keep.</summary>
internal static class EventTicks
{
    /// <summary>The Unix epoch in ticks: event-time windows are aligned to it, as Spark's <c>window()</c> is.</summary>
    public static readonly long Epoch = DateTimeOffset.UnixEpoch.UtcTicks;

    public static DateTimeOffset ToTime(long ticks) => new(ticks, TimeSpan.Zero);

    public static DateTimeOffset? ToTime(long? ticks) => ticks is { } t ? ToTime(t) : null;

    /// <summary>The start of the last window (of the given slide, aligned to the epoch) starting at or before <paramref name="ticks"/>.</summary>
    public static long LastStart(long ticks, long slide)
    {
        var offset = ticks - Epoch;
        var floor = offset / slide * slide;
        if (floor > offset)
        {
            floor -= slide;
        }

        return Epoch + floor;
    }

    public static long Positive(TimeSpan duration, string name)
    {
        if (duration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, duration, $"{name} must be positive.");
        }

        return duration.Ticks;
    }
}
