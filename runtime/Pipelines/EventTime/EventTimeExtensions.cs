using Pipelines.EventTime;

namespace Pipelines;

/// <summary>The event-time operators on pairs: per-key windows, sessions and state with event-time timeouts.</summary>
public static class EventTimeExtensions
{
    /// <summary>
    /// The idle timeout of a combined watermark (<see cref="EventTimeDStream{T}.Union"/>, <see cref="Join"/>) when none is
    /// given: one minute of batch time. An input that brings no record for that long stops holding the watermark back,
    /// so a quiet source cannot stall every window downstream forever (Flink holds it back unless <c>withIdleness</c> is
    /// set; we choose a bounded default).
    /// </summary>
    public static TimeSpan DefaultIdleTimeout { get; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The per-batch inner join of two keyed event-time streams (the pairs of the same batch with equal keys, as the
    /// arrival-time <c>Join</c>): each result's event time is the later of its two records'; the watermark is the
    /// minimum of the two inputs' (see <see cref="EventTimeDStream{T}.Union"/> for idle inputs).
    /// </summary>
    /// <param name="left">The left stream.</param>
    /// <param name="right">The right stream (same context and slide).</param>
    /// <param name="idleTimeout">How long an input may bring no record before it is left out of the minimum; <see cref="DefaultIdleTimeout"/> when omitted.</param>
    /// <returns>An event-time stream of (key, (left value, right value)).</returns>
    public static EventTimeDStream<(TKey Key, (TLeft Left, TRight Right) Value)> Join<TKey, TLeft, TRight>(
        this EventTimeDStream<(TKey Key, TLeft Value)> left, EventTimeDStream<(TKey Key, TRight Value)> right, TimeSpan? idleTimeout = null)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        var join = new EventTimeJoinDStream<TKey, TLeft, TRight>(left, right, idleTimeout ?? DefaultIdleTimeout);
        return new EventTimeDStream<(TKey Key, (TLeft Left, TRight Right) Value)>(join, join, nameof(Join));
    }

    /// <summary>A stream of each pair with <paramref name="mapper"/> applied to its value; each keeps its event time.</summary>
    public static EventTimeDStream<(TKey Key, TResult Value)> MapValues<TKey, TValue, TResult>(this EventTimeDStream<(TKey Key, TValue Value)> stream, Func<TValue, TResult> mapper)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(mapper);
        return stream.Map(pair => (pair.Key, mapper(pair.Value)));
    }

    /// <summary>
    /// Each key's values in each event-time window of length <paramref name="window"/> sliding by
    /// <paramref name="slide"/> (tumbling when omitted), combined with <paramref name="reducer"/> (associative and
    /// commutative, as Spark requires). Windows are aligned to the Unix epoch; a window is emitted once the watermark
    /// passes its end (and, with <see cref="EventWindowOptions.EmitEarlyResults"/>, after each batch that changed it).
    /// Late records are dropped and counted, or read from <see cref="EventTimeAggregateDStream{TOut, TRecord}.LateRecords"/>.
    /// </summary>
    /// <example>
    /// <code>
    /// var perPage = clicks.WithEventTime(c => c.Time, TimeSpan.FromMinutes(1))
    ///     .Map(c => (c.Page, 1))
    ///     .ReduceByKeyAndEventWindow((a, b) => a + b, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(5));
    /// </code>
    /// </example>
    public static EventTimeAggregateDStream<EventWindow<TKey, TValue>, (TKey Key, TValue Value)> ReduceByKeyAndEventWindow<TKey, TValue>(
        this EventTimeDStream<(TKey Key, TValue Value)> stream, Func<TValue, TValue, TValue> reducer, TimeSpan window, TimeSpan? slide = null, EventWindowOptions? options = null)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(reducer);
        return new EventWindowDStream<(TKey Key, TValue Value), TKey, TValue, EventWindow<TKey, TValue>>(
            stream, nameof(ReduceByKeyAndEventWindow), window, slide, options,
            static pair => pair.Key,
            static pair => pair.Value,
            (acc, pair) => reducer(acc, pair.Value),
            reducer,
            static (start, end, key, value, final) => new EventWindow<TKey, TValue>(start, end, key, value, final));
    }

    /// <summary>The number of records per key in each event-time window (see <see cref="ReduceByKeyAndEventWindow"/>).</summary>
    public static EventTimeAggregateDStream<EventWindow<TKey, long>, (TKey Key, TValue Value)> CountByKeyAndEventWindow<TKey, TValue>(
        this EventTimeDStream<(TKey Key, TValue Value)> stream, TimeSpan window, TimeSpan? slide = null, EventWindowOptions? options = null)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        return new EventWindowDStream<(TKey Key, TValue Value), TKey, long, EventWindow<TKey, long>>(
            stream, nameof(CountByKeyAndEventWindow), window, slide, options,
            static pair => pair.Key,
            static _ => 1L,
            static (count, _) => count + 1,
            static (first, second) => first + second,
            static (start, end, key, count, final) => new EventWindow<TKey, long>(start, end, key, count, final));
    }

    /// <summary>
    /// Each key's values grouped into event-time sessions: a session of a key lasts from its first event to its last
    /// event plus <paramref name="gap"/>; records less than <paramref name="gap"/> apart join one session, and sessions
    /// that a record bridges merge, also across batches (Spark's <c>session_window</c>). A session is emitted, with its
    /// values combined by <paramref name="reducer"/> (associative and commutative), once the watermark passes its end.
    /// </summary>
    public static EventTimeAggregateDStream<EventWindow<TKey, TValue>, (TKey Key, TValue Value)> ReduceByKeyAndSessionWindow<TKey, TValue>(
        this EventTimeDStream<(TKey Key, TValue Value)> stream, Func<TValue, TValue, TValue> reducer, TimeSpan gap, EventWindowOptions? options = null)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(reducer);
        return new SessionWindowDStream<TKey, TValue>(stream, reducer, gap, options);
    }

    /// <summary>
    /// Spark's <c>mapWithState</c> on an event-time stream: <paramref name="spec"/>'s function runs for each on-time
    /// record in order, and its <see cref="StateSpec{TKey, TValue, TState, TMapped}.Timeout"/> is measured in event time:
    /// a key times out (the function runs once more with <see cref="State{TState}.IsTimingOut"/> and the key is removed)
    /// in the first batch that brings it no record once the watermark reached the key's latest event time plus the
    /// timeout (Spark's <c>GroupStateTimeout.EventTimeTimeout</c>). Keys of the initial state time out only after a
    /// record touched them. Late records are dropped and counted.
    /// </summary>
    public static EventTimeAggregateDStream<TMapped, (TKey Key, TValue Value)> MapWithState<TKey, TValue, TState, TMapped>(
        this EventTimeDStream<(TKey Key, TValue Value)> stream, StateSpec<TKey, TValue, TState, TMapped> spec)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(spec);
        return new EventTimeStateDStream<TKey, TValue, TState, TMapped>(stream, spec);
    }
}
