using Pipelines.EventTime;

namespace Pipelines;

/// <summary>Event time: the entry point from an arrival-time stream.</summary>
public abstract partial class DStream<T>
{
    /// <summary>
    /// This stream with an event time for each record, read by <paramref name="eventTime"/>, and a watermark: after each
    /// batch, the latest event time seen minus <paramref name="maxDelay"/>, never going back (Spark's
    /// <c>withWatermark</c>, Flink's bounded-out-of-orderness strategy). The event-time windows, sessions and state of the
    /// returned stream drop (and count) records whose event time is before the watermark in force when they arrive, and
    /// emit a window once the watermark passes its end.
    /// </summary>
    /// <example>
    /// <code>
    /// var counts = lines.Map(Click.Parse)
    ///     .WithEventTime(click => click.Timestamp, maxDelay: TimeSpan.FromSeconds(30))
    ///     .CountByEventWindow(TimeSpan.FromMinutes(1));
    /// </code>
    /// </example>
    public EventTimeDStream<T> WithEventTime(Func<T, DateTimeOffset> eventTime, TimeSpan maxDelay)
    {
        ArgumentNullException.ThrowIfNull(eventTime);
        var root = new WatermarkDStream<T>(this, eventTime, maxDelay);
        return new EventTimeDStream<T>(root, root, nameof(WithEventTime));
    }
}
