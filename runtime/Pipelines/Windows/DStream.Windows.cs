using Pipelines.Operators;
using Pipelines.Windows;

namespace Pipelines;

/// <summary>The window operations of one stream (Spark's <c>window</c>, <c>countByWindow</c>, <c>reduceByWindow</c>).</summary>
public abstract partial class DStream<T>
{
    /// <summary>
    /// A stream whose batch at each slide is every record of this stream's batches in the last
    /// <paramref name="windowDuration"/>, with this stream's slide (Spark's <c>window</c>).
    /// </summary>
    /// <param name="windowDuration">The window length: a multiple of this stream's slide (the batch interval for an input).</param>
    /// <exception cref="ArgumentException">The window is not positive or not a multiple of this stream's slide.</exception>
    public DStream<T> Window(TimeSpan windowDuration) => Window(windowDuration, SlideDuration);

    /// <summary>
    /// A stream that produces a batch every <paramref name="slideDuration"/>: at time t, every record of this
    /// stream's batches in (t - window, t], in time order (Spark's <c>window</c>). Batches exist at the multiples of
    /// the slide from the context's start; the first windows hold the batches that exist so far.
    /// </summary>
    /// <param name="windowDuration">The window length: a multiple of this stream's slide (the batch interval for an input).</param>
    /// <param name="slideDuration">The interval between windows: a multiple of this stream's slide.</param>
    /// <exception cref="ArgumentException">A duration is not positive or not a multiple of this stream's slide.</exception>
    /// <example>
    /// <code>
    /// // Every 10 seconds, the lines of the last 30 seconds.
    /// var recent = lines.Window(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10));
    /// </code>
    /// </example>
    public DStream<T> Window(TimeSpan windowDuration, TimeSpan slideDuration) =>
        new WindowedDStream<T>(this, nameof(Window), windowDuration, slideDuration);

    /// <summary>
    /// A stream with, every <paramref name="slideDuration"/>, the number of records in the last
    /// <paramref name="windowDuration"/> (Spark's <c>countByWindow</c>). As in Spark it counts incrementally
    /// (adding entering batches, subtracting leaving ones), so windows before the first record are empty and
    /// windows after the last one give 0.
    /// </summary>
    /// <exception cref="ArgumentException">A duration is not positive or not a multiple of this stream's slide.</exception>
    public DStream<long> CountByWindow(TimeSpan windowDuration, TimeSpan slideDuration)
    {
        WindowDurations.Validate(this, nameof(CountByWindow), windowDuration, slideDuration);
        var counts = new ReducedWindowedDStream<T, byte, long>(
            this, nameof(CountByWindow), KeyedWindows.Shared(new RecordCountSliceStage<T>()), static (a, b) => a + b, static (a, b) => a - b, filter: null, windowDuration, slideDuration);
        return KeyedWindows.Values(counts, nameof(CountByWindow));
    }

    /// <summary>
    /// A stream with, every <paramref name="slideDuration"/>, the records of the last
    /// <paramref name="windowDuration"/> combined with <paramref name="reducer"/> (associative and commutative);
    /// an empty window gives an empty batch (Spark's <c>reduceByWindow</c>).
    /// </summary>
    /// <exception cref="ArgumentException">A duration is not positive or not a multiple of this stream's slide.</exception>
    public DStream<T> ReduceByWindow(Func<T, T, T> reducer, TimeSpan windowDuration, TimeSpan slideDuration)
    {
        ArgumentNullException.ThrowIfNull(reducer);
        WindowDurations.Validate(this, nameof(ReduceByWindow), windowDuration, slideDuration);
        var reduced = new RecomputedWindowDStream<T, byte, T>(this, nameof(ReduceByWindow), KeyedWindows.Shared(new ReduceSliceStage<T>(reducer)), reducer, windowDuration, slideDuration);
        return KeyedWindows.Values(reduced, nameof(ReduceByWindow));
    }

    /// <summary>
    /// The incremental form of <see cref="ReduceByWindow(Func{T, T, T}, TimeSpan, TimeSpan)"/>: each window is the
    /// previous one combined with the entering records and "uncombined" with <paramref name="inverseReducer"/>
    /// from the leaving ones (Spark's <c>reduceByWindow</c> with an inverse function). Once the stream has had a
    /// record, every window has one value (the neutral value when the window holds no record).
    /// </summary>
    /// <param name="reducer">Combines two values; associative and commutative.</param>
    /// <param name="inverseReducer">Undoes <paramref name="reducer"/>: <c>inverse(reduce(a, b), b) == a</c>.</param>
    /// <param name="windowDuration">The window length: a multiple of this stream's slide.</param>
    /// <param name="slideDuration">The interval between windows: a multiple of this stream's slide.</param>
    /// <exception cref="ArgumentException">A duration is not positive or not a multiple of this stream's slide.</exception>
    public DStream<T> ReduceByWindow(Func<T, T, T> reducer, Func<T, T, T> inverseReducer, TimeSpan windowDuration, TimeSpan slideDuration)
    {
        ArgumentNullException.ThrowIfNull(reducer);
        ArgumentNullException.ThrowIfNull(inverseReducer);
        WindowDurations.Validate(this, nameof(ReduceByWindow), windowDuration, slideDuration);
        var reduced = new ReducedWindowedDStream<T, byte, T>(
            this, nameof(ReduceByWindow), KeyedWindows.Shared(new ReduceSliceStage<T>(reducer)), reducer, inverseReducer, filter: null, windowDuration, slideDuration);
        return KeyedWindows.Values(reduced, nameof(ReduceByWindow));
    }
}
