using System.ComponentModel;
using Pipelines.EventTime;

namespace Pipelines.Compilation;

/// <summary>
/// Creates the event-time window streams of generated <c>Compile…</c> methods: the generator fuses the per-batch part
/// of <c>WithEventTime(...)</c> (with the event-time <c>Map</c>/<c>Filter</c>/<c>FlatMap</c>/<c>MapValues</c> after it)
/// and a window operator into one <see cref="IEventWindowStage{TIn, TRecord, TKey, TAcc}"/>; the stream returned here
/// runs that stage each batch and keeps what lives between batches: the watermark, the open windows and the late count,
/// all checkpointed; <c>ReduceByKeyAndSessionWindow</c> is fused the same way through an
/// <see cref="ISessionWindowStage{TIn, TKey, TValue}"/>. Results, late records and their side output equal the interpreted operators'.
/// Called by generated code only.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class CompiledEventTime
{
    /// <summary>The compiled <c>WithEventTime(…, maxDelay)…ReduceByKeyAndEventWindow(reducer, window, slide, options)</c>.</summary>
    /// <param name="parent">The stream the stage reads (the input of the fused chain).</param>
    /// <param name="name">The operator's name, used in errors and metrics.</param>
    /// <param name="stage">The generated stage; it must not be shared with another stream.</param>
    /// <param name="maxDelay">The watermark's delay, as passed to <c>WithEventTime</c>.</param>
    /// <param name="window">The window length.</param>
    /// <param name="slide">The slide (the window length when omitted: tumbling windows).</param>
    /// <param name="options">How results are reported.</param>
    /// <returns>The windows' results per key, as <see cref="EventTimeExtensions.ReduceByKeyAndEventWindow"/> returns them.</returns>
    public static EventTimeAggregateDStream<EventWindow<TKey, TValue>, (TKey Key, TValue Value)> ReduceByKeyAndEventWindow<TIn, TKey, TValue>(
        DStream<TIn> parent, string name, IEventWindowStage<TIn, (TKey Key, TValue Value), TKey, TValue> stage, TimeSpan maxDelay, TimeSpan window, TimeSpan? slide = null, EventWindowOptions? options = null)
        where TKey : notnull =>
        Create(parent, name, stage, maxDelay, window, slide, options, static (start, end, key, value, final) => new EventWindow<TKey, TValue>(start, end, key, value, final));

    /// <summary>The compiled <c>WithEventTime(…, maxDelay)…CountByKeyAndEventWindow(window, slide, options)</c>.</summary>
    /// <param name="parent">The stream the stage reads (the input of the fused chain).</param>
    /// <param name="name">The operator's name, used in errors and metrics.</param>
    /// <param name="stage">The generated stage; it must not be shared with another stream.</param>
    /// <param name="maxDelay">The watermark's delay, as passed to <c>WithEventTime</c>.</param>
    /// <param name="window">The window length.</param>
    /// <param name="slide">The slide (the window length when omitted: tumbling windows).</param>
    /// <param name="options">How results are reported.</param>
    /// <returns>The windows' counts per key, as <see cref="EventTimeExtensions.CountByKeyAndEventWindow"/> returns them.</returns>
    public static EventTimeAggregateDStream<EventWindow<TKey, long>, (TKey Key, TValue Value)> CountByKeyAndEventWindow<TIn, TKey, TValue>(
        DStream<TIn> parent, string name, IEventWindowStage<TIn, (TKey Key, TValue Value), TKey, long> stage, TimeSpan maxDelay, TimeSpan window, TimeSpan? slide = null, EventWindowOptions? options = null)
        where TKey : notnull =>
        Create(parent, name, stage, maxDelay, window, slide, options, static (start, end, key, count, final) => new EventWindow<TKey, long>(start, end, key, count, final));

    /// <summary>The compiled <c>WithEventTime(…, maxDelay)…CountByEventWindow(window, slide, options)</c>.</summary>
    /// <param name="parent">The stream the stage reads (the input of the fused chain).</param>
    /// <param name="name">The operator's name, used in errors and metrics.</param>
    /// <param name="stage">The generated stage (its key is a constant 0); it must not be shared with another stream.</param>
    /// <param name="maxDelay">The watermark's delay, as passed to <c>WithEventTime</c>.</param>
    /// <param name="window">The window length.</param>
    /// <param name="slide">The slide (the window length when omitted: tumbling windows).</param>
    /// <param name="options">How results are reported.</param>
    /// <returns>The windows' counts, as <see cref="EventTimeDStream{T}.CountByEventWindow"/> returns them.</returns>
    public static EventTimeAggregateDStream<EventWindow<long>, T> CountByEventWindow<TIn, T>(
        DStream<TIn> parent, string name, IEventWindowStage<TIn, T, byte, long> stage, TimeSpan maxDelay, TimeSpan window, TimeSpan? slide = null, EventWindowOptions? options = null) =>
        Create(parent, name, stage, maxDelay, window, slide, options, static (start, end, _, count, final) => new EventWindow<long>(start, end, count, final));

    /// <summary>The compiled <c>WithEventTime(…, maxDelay)…WindowByEventTime(window, slide, options)</c>.</summary>
    /// <param name="parent">The stream the stage reads (the input of the fused chain).</param>
    /// <param name="name">The operator's name, used in errors and metrics.</param>
    /// <param name="stage">The generated stage (its key is a constant 0; it appends records to lists); it must not be shared.</param>
    /// <param name="maxDelay">The watermark's delay, as passed to <c>WithEventTime</c>.</param>
    /// <param name="window">The window length.</param>
    /// <param name="slide">The slide (the window length when omitted: tumbling windows).</param>
    /// <param name="options">How results are reported.</param>
    /// <returns>The windows' records in arrival order, as <see cref="EventTimeDStream{T}.WindowByEventTime"/> returns them.</returns>
    public static EventTimeAggregateDStream<EventWindow<T[]>, T> WindowByEventTime<TIn, T>(
        DStream<TIn> parent, string name, IEventWindowStage<TIn, T, byte, List<T>> stage, TimeSpan maxDelay, TimeSpan window, TimeSpan? slide = null, EventWindowOptions? options = null) =>
        Create(parent, name, stage, maxDelay, window, slide, options, static (start, end, _, list, final) => new EventWindow<T[]>(start, end, list.ToArray(), final));

    /// <summary>The compiled <c>WithEventTime(…, maxDelay)…ReduceByKeyAndSessionWindow(reducer, gap, options)</c>.</summary>
    /// <param name="parent">The stream the stage reads (the input of the fused chain).</param>
    /// <param name="name">The operator's name, used in errors and metrics.</param>
    /// <param name="stage">The generated stage; it must not be shared with another stream.</param>
    /// <param name="maxDelay">The watermark's delay, as passed to <c>WithEventTime</c>.</param>
    /// <param name="gap">The session gap: records of a key less than this apart (in event time) share a session.</param>
    /// <param name="options">How results are reported (<see cref="EventWindowOptions.EmitEarlyResults"/>: the sessions a batch changed, each batch).</param>
    /// <returns>The sessions' results per key, as <see cref="EventTimeExtensions.ReduceByKeyAndSessionWindow"/> returns them.</returns>
    public static EventTimeAggregateDStream<EventWindow<TKey, TValue>, (TKey Key, TValue Value)> ReduceByKeyAndSessionWindow<TIn, TKey, TValue>(
        DStream<TIn> parent, string name, ISessionWindowStage<TIn, TKey, TValue> stage, TimeSpan maxDelay, TimeSpan gap, EventWindowOptions? options = null)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(stage);
        return new CompiledSessionWindowDStream<TIn, TKey, TValue>(parent, name, stage, maxDelay, gap, options);
    }

    private static CompiledEventWindowDStream<TIn, TRecord, TKey, TAcc, TOut> Create<TIn, TRecord, TKey, TAcc, TOut>(
        DStream<TIn> parent,
        string name,
        IEventWindowStage<TIn, TRecord, TKey, TAcc> stage,
        TimeSpan maxDelay,
        TimeSpan window,
        TimeSpan? slide,
        EventWindowOptions? options,
        Func<DateTimeOffset, DateTimeOffset, TKey, TAcc, bool, TOut> result)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(stage);
        return new CompiledEventWindowDStream<TIn, TRecord, TKey, TAcc, TOut>(parent, name, stage, maxDelay, window, slide, options, result);
    }
}
