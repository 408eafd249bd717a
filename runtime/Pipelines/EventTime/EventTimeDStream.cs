using Pipelines.EventTime;

namespace Pipelines;

/// <summary>
/// A stream whose records carry an event time (the time they happened, read from the record) and a watermark (the
/// latest event time seen minus the allowed delay; it never goes back). Created by
/// <see cref="DStream{T}.WithEventTime"/>. <see cref="Map{TResult}"/>, <see cref="Filter"/>, <see cref="FlatMap{TResult}"/>
/// and <c>MapValues</c> keep each record's event time; the event-time windows, sessions and state read it.
/// </summary>
/// <remarks>
/// As a <see cref="DStream{T}"/> its batches are the plain records, so any arrival-time operator or output works on it
/// too; those do not see event times. Called through a <see cref="DStream{T}"/> reference, <c>Map</c> is the
/// arrival-time one and drops the event time.
/// </remarks>
/// <typeparam name="T">The type of the records.</typeparam>
/// <example>
/// <code>
/// var counts = clicks
///     .WithEventTime(click => click.Timestamp, maxDelay: TimeSpan.FromMinutes(1))
///     .Map(click => (click.Page, 1))
///     .ReduceByKeyAndEventWindow((a, b) => a + b, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(5));
/// counts.Print();
/// </code>
/// </example>
public sealed class EventTimeDStream<T> : DStream<T>
{
    private readonly TimeSpan _slide;

    internal EventTimeDStream(DStream<Timestamped<T>> events, IWatermarkSource watermarks, string name)
        : base(events.Context, name)
    {
        Events = events;
        Watermarks = watermarks;
        _slide = events.SlideDuration;
    }

    internal DStream<Timestamped<T>> Events { get; }

    internal IWatermarkSource Watermarks { get; }

    /// <inheritdoc />
    public override TimeSpan SlideDuration => _slide;

    internal override IReadOnlyList<DStream> Dependencies => [Events];

    /// <summary>How far behind the latest event time seen a record may arrive and still count (the watermark's delay).</summary>
    public TimeSpan MaxDelay => Watermarks.MaxDelay;

    /// <summary>
    /// The watermark after the last batch computed: the latest event time seen minus <see cref="MaxDelay"/>, never
    /// decreasing; <c>null</c> before the first event. Records with an earlier event time are late.
    /// </summary>
    public DateTimeOffset? Watermark => EventTicks.ToTime(Watermarks.Current);

    /// <summary>A stream of <paramref name="mapper"/> applied to each record; each result keeps its record's event time.</summary>
    public new EventTimeDStream<TResult> Map<TResult>(Func<T, TResult> mapper)
    {
        ArgumentNullException.ThrowIfNull(mapper);
        return Derive<TResult>(nameof(Map), (record, output) => output.Add(new Timestamped<TResult>(record.Ticks, mapper(record.Value))));
    }

    /// <summary>A stream of the records for which <paramref name="predicate"/> holds, with their event times.</summary>
    public new EventTimeDStream<T> Filter(Func<T, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return Derive<T>(nameof(Filter), (record, output) =>
        {
            if (predicate(record.Value))
            {
                output.Add(record);
            }
        });
    }

    /// <summary>A stream of every record <paramref name="mapper"/> returns for each record; each keeps its source record's event time.</summary>
    public new EventTimeDStream<TResult> FlatMap<TResult>(Func<T, IEnumerable<TResult>> mapper)
    {
        ArgumentNullException.ThrowIfNull(mapper);
        return Derive<TResult>(nameof(FlatMap), (record, output) =>
        {
            var results = mapper(record.Value) ?? throw new InvalidOperationException("The FlatMap function returned null; return an empty sequence instead.");
            foreach (var result in results)
            {
                output.Add(new Timestamped<TResult>(record.Ticks, result));
            }
        });
    }

    /// <summary>
    /// The records of this stream and <paramref name="other"/>, each with its event time, under one watermark: the
    /// minimum of the two streams' watermarks (Flink's rule, Spark's default <c>multipleWatermarkPolicy</c>), so a window
    /// after the union closes only when both inputs passed it; never going back. An input that brings no record (no
    /// batch, or an empty one) for <paramref name="idleTimeout"/> of batch time is idle: it stops holding the watermark
    /// back until it brings records again (then records older than the watermark are late, as in Flink's
    /// <c>withIdleness</c>). An input with no event yet holds the watermark back until it is idle.
    /// </summary>
    /// <param name="other">An event-time stream of the same context and slide.</param>
    /// <param name="idleTimeout">How long an input may bring no record before it is left out of the minimum; <see cref="EventTimeExtensions.DefaultIdleTimeout"/> when omitted.</param>
    /// <returns>An event-time stream; the combined watermark and each input's last activity are checkpointed.</returns>
    /// <example>
    /// <code>
    /// var clicks = web.WithEventTime(c => c.Time, TimeSpan.FromSeconds(10))
    ///     .Union(mobile.WithEventTime(c => c.Time, TimeSpan.FromMinutes(2)), idleTimeout: TimeSpan.FromMinutes(5));
    /// var perMinute = clicks.CountByEventWindow(TimeSpan.FromMinutes(1));
    /// </code>
    /// </example>
    public EventTimeDStream<T> Union(EventTimeDStream<T> other, TimeSpan? idleTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(other);
        var union = new EventTimeUnionDStream<T>([this, other], idleTimeout ?? EventTimeExtensions.DefaultIdleTimeout);
        return new EventTimeDStream<T>(union, union, nameof(Union));
    }

    /// <summary>A stream of each record with its event time (an arrival-time stream; the watermark is not carried further).</summary>
    public DStream<(DateTimeOffset EventTime, T Record)> WithTimestamps() =>
        new Operators.TransformedDStream<Timestamped<T>, (DateTimeOffset, T)>(Events, nameof(WithTimestamps), static (batch, _) =>
        {
            var builder = new BatchBuilder<(DateTimeOffset, T)>(batch.Count);
            foreach (var record in batch.Span)
            {
                builder.Add((EventTicks.ToTime(record.Ticks), record.Value));
            }

            return builder.ToBatch();
        });

    /// <summary>
    /// The records of each event-time window of length <paramref name="window"/> sliding by <paramref name="slide"/>
    /// (tumbling when omitted), windows aligned to the Unix epoch as in Spark's <c>window()</c>. A window is emitted once
    /// the watermark passes its end; records later than the watermark are dropped and counted
    /// (<see cref="EventTimeAggregateDStream{TOut, TRecord}.LateRecordCount"/>) or read from
    /// <see cref="EventTimeAggregateDStream{TOut, TRecord}.LateRecords"/>.
    /// </summary>
    /// <remarks>A window's records are in the order they arrived in (batch order, then order within a batch).</remarks>
    public EventTimeAggregateDStream<EventWindow<T[]>, T> WindowByEventTime(TimeSpan window, TimeSpan? slide = null, EventWindowOptions? options = null) =>
        new EventWindowDStream<T, byte, List<T>, EventWindow<T[]>>(
            this, nameof(WindowByEventTime), window, slide, options,
            static _ => 0,
            static record => [record],
            static (list, record) => { list.Add(record); return list; },
            static (first, second) => { var merged = new List<T>(first.Count + second.Count); merged.AddRange(first); merged.AddRange(second); return merged; },
            static (start, end, _, list, final) => new EventWindow<T[]>(start, end, list.ToArray(), final));

    /// <summary>
    /// The number of records in each event-time window of length <paramref name="window"/> sliding by
    /// <paramref name="slide"/> (tumbling when omitted); emitted once the watermark passes the window's end.
    /// </summary>
    public EventTimeAggregateDStream<EventWindow<long>, T> CountByEventWindow(TimeSpan window, TimeSpan? slide = null, EventWindowOptions? options = null) =>
        new EventWindowDStream<T, byte, long, EventWindow<long>>(
            this, nameof(CountByEventWindow), window, slide, options,
            static _ => 0,
            static _ => 1L,
            static (count, _) => count + 1,
            static (first, second) => first + second,
            static (start, end, _, count, final) => new EventWindow<long>(start, end, count, final));

    private EventTimeDStream<TResult> Derive<TResult>(string name, Action<Timestamped<T>, BatchBuilder<Timestamped<TResult>>> apply) =>
        new(new EventTimeNarrowDStream<T, TResult>(Events, name, apply), Watermarks, name);

    internal override Batch<T>? Compute(BatchTime time)
    {
        if (Events.GetOrCompute(time) is not { } batch)
        {
            return null;
        }

        var builder = new BatchBuilder<T>(batch.Count);
        foreach (var record in batch.Span)
        {
            builder.Add(record.Value);
        }

        return builder.ToBatch();
    }
}
