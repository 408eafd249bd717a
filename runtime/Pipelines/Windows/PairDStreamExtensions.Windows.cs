using Pipelines.Operators;
using Pipelines.Windows;

namespace Pipelines;

/// <summary>The window operations of streams of key-value pairs (Spark's <c>PairDStreamFunctions</c>).</summary>
public static partial class PairDStreamExtensions
{
    /// <summary>
    /// For each batch, the values of each key in the last <paramref name="windowDuration"/> combined with
    /// <paramref name="reducer"/>, with the stream's slide (Spark's <c>reduceByKeyAndWindow</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The window is not positive or not a multiple of the stream's slide.</exception>
    public static DStream<(TKey Key, TValue Value)> ReduceByKeyAndWindow<TKey, TValue>(
        this DStream<(TKey Key, TValue Value)> stream, Func<TValue, TValue, TValue> reducer, TimeSpan windowDuration)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        return stream.ReduceByKeyAndWindow(reducer, windowDuration, stream.SlideDuration);
    }

    /// <summary>
    /// Every <paramref name="slideDuration"/>, the values of each key in the last <paramref name="windowDuration"/>
    /// combined with <paramref name="reducer"/> (associative and commutative), recomputed from the window's batches
    /// (Spark's <c>reduceByKeyAndWindow</c>). Keys with no value in the window are absent.
    /// </summary>
    /// <exception cref="ArgumentException">A duration is not positive or not a multiple of the stream's slide.</exception>
    /// <example>
    /// <code>
    /// // Every 10 seconds, the word counts of the last 30 seconds.
    /// var counts = pairs.ReduceByKeyAndWindow((a, b) => a + b, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10));
    /// </code>
    /// </example>
    public static DStream<(TKey Key, TValue Value)> ReduceByKeyAndWindow<TKey, TValue>(
        this DStream<(TKey Key, TValue Value)> stream, Func<TValue, TValue, TValue> reducer, TimeSpan windowDuration, TimeSpan slideDuration)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(reducer);
        const string name = nameof(ReduceByKeyAndWindow);
        WindowDurations.Validate(stream, name, windowDuration, slideDuration);
        return KeyedWindows.Recomputed(stream, name, reducer, windowDuration, slideDuration);
    }

    /// <summary>
    /// <see cref="ReduceByKeyAndWindow{TKey, TValue}(DStream{ValueTuple{TKey, TValue}}, Func{TValue, TValue, TValue}, TimeSpan, TimeSpan)"/>
    /// with the result in <paramref name="numPartitions"/> partitions (Spark's <c>reduceByKeyAndWindow(func, window,
    /// slide, numPartitions)</c>). The count is kept on the stream (<see cref="DStream.NumPartitions"/>) and takes
    /// effect where batches run in parallel partitions; the window's results are the same for any count.
    /// </summary>
    /// <exception cref="ArgumentException">A duration is not positive or not a multiple of the stream's slide.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numPartitions"/> is not positive.</exception>
    public static DStream<(TKey Key, TValue Value)> ReduceByKeyAndWindow<TKey, TValue>(
        this DStream<(TKey Key, TValue Value)> stream, Func<TValue, TValue, TValue> reducer, TimeSpan windowDuration, TimeSpan slideDuration, int numPartitions)
        where TKey : notnull
    {
        DStream.RequirePartitions(numPartitions, nameof(ReduceByKeyAndWindow));
        return DStream.WithNumPartitions(stream.ReduceByKeyAndWindow(reducer, windowDuration, slideDuration), numPartitions, nameof(ReduceByKeyAndWindow));
    }

    /// <summary>
    /// The incremental form of <c>ReduceByKeyAndWindow</c> (Spark's <c>reduceByKeyAndWindow</c> with
    /// <c>invReduceFunc</c>): each window is the previous window's result, plus the values entering (with
    /// <paramref name="reducer"/>) and minus the values leaving (with <paramref name="inverseReducer"/>). It keeps
    /// the window's batches reduced by key, nothing older.
    /// </summary>
    /// <remarks>
    /// As in Spark, without <paramref name="filter"/> a key whose value returned to neutral stays in the output
    /// (e.g. <c>("a", 0)</c>). A filter that rejects the neutral value (e.g. <c>p =&gt; p.Value != 0</c>) drops those
    /// keys, and then the output equals the recomputing form's output filtered the same way.
    /// If a function throws, that window fails and the kept result stays as it was; the next window continues
    /// from the last successful one, without the batches that entered in the failed window.
    /// </remarks>
    /// <param name="stream">The pairs.</param>
    /// <param name="reducer">Combines two values; associative and commutative.</param>
    /// <param name="inverseReducer">Undoes <paramref name="reducer"/>: <c>inverse(reduce(a, b), b) == a</c>.</param>
    /// <param name="windowDuration">The window length: a multiple of the stream's slide.</param>
    /// <param name="slideDuration">The interval between windows: a multiple of the stream's slide; <c>null</c> for the stream's slide.</param>
    /// <param name="filter">Which (key, value) pairs to keep; <c>null</c> keeps all.</param>
    /// <exception cref="ArgumentException">A duration is not positive or not a multiple of the stream's slide.</exception>
    /// <example>
    /// <code>
    /// var counts = pairs.ReduceByKeyAndWindow(
    ///     (a, b) => a + b, (a, b) => a - b, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10), filter: p => p.Value != 0);
    /// </code>
    /// </example>
    public static DStream<(TKey Key, TValue Value)> ReduceByKeyAndWindow<TKey, TValue>(
        this DStream<(TKey Key, TValue Value)> stream,
        Func<TValue, TValue, TValue> reducer,
        Func<TValue, TValue, TValue> inverseReducer,
        TimeSpan windowDuration,
        TimeSpan? slideDuration = null,
        Func<(TKey Key, TValue Value), bool>? filter = null)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(reducer);
        ArgumentNullException.ThrowIfNull(inverseReducer);
        return KeyedWindows.Incremental(
            stream, nameof(ReduceByKeyAndWindow), reducer, inverseReducer, filter, windowDuration, slideDuration ?? stream.SlideDuration);
    }

    /// <summary>
    /// The incremental form of <c>ReduceByKeyAndWindow</c> with the result in <paramref name="numPartitions"/>
    /// partitions (Spark's <c>reduceByKeyAndWindow(func, invFunc, window, slide, numPartitions, filterFunc)</c>). The
    /// count is kept on the stream (<see cref="DStream.NumPartitions"/>) and takes effect where batches run in parallel
    /// partitions; the window's results are the same for any count.
    /// </summary>
    /// <exception cref="ArgumentException">A duration is not positive or not a multiple of the stream's slide.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numPartitions"/> is not positive.</exception>
    public static DStream<(TKey Key, TValue Value)> ReduceByKeyAndWindow<TKey, TValue>(
        this DStream<(TKey Key, TValue Value)> stream,
        Func<TValue, TValue, TValue> reducer,
        Func<TValue, TValue, TValue> inverseReducer,
        TimeSpan windowDuration,
        TimeSpan slideDuration,
        int numPartitions,
        Func<(TKey Key, TValue Value), bool>? filter = null)
        where TKey : notnull
    {
        DStream.RequirePartitions(numPartitions, nameof(ReduceByKeyAndWindow));
        return DStream.WithNumPartitions(
            stream.ReduceByKeyAndWindow(reducer, inverseReducer, windowDuration, slideDuration, filter), numPartitions, nameof(ReduceByKeyAndWindow));
    }

    /// <summary>For each batch, each key with its values in the last <paramref name="windowDuration"/>, with the stream's slide (Spark's <c>groupByKeyAndWindow</c>).</summary>
    /// <exception cref="ArgumentException">The window is not positive or not a multiple of the stream's slide.</exception>
    public static DStream<(TKey Key, IReadOnlyList<TValue> Values)> GroupByKeyAndWindow<TKey, TValue>(
        this DStream<(TKey Key, TValue Value)> stream, TimeSpan windowDuration)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        return stream.GroupByKeyAndWindow(windowDuration, stream.SlideDuration);
    }

    /// <summary>
    /// Every <paramref name="slideDuration"/>, each key with all its values in the last
    /// <paramref name="windowDuration"/>, in time order (Spark's <c>groupByKeyAndWindow</c>).
    /// </summary>
    /// <exception cref="ArgumentException">A duration is not positive or not a multiple of the stream's slide.</exception>
    public static DStream<(TKey Key, IReadOnlyList<TValue> Values)> GroupByKeyAndWindow<TKey, TValue>(
        this DStream<(TKey Key, TValue Value)> stream, TimeSpan windowDuration, TimeSpan slideDuration)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        const string name = nameof(GroupByKeyAndWindow);
        var window = new WindowedDStream<(TKey, TValue)>(stream, name, windowDuration, slideDuration);
        return new TransformedDStream<(TKey, TValue), (TKey, IReadOnlyList<TValue>)>(window, name, static (batch, _) => KeyedKernels.GroupByKey(batch));
    }

    /// <summary>
    /// <see cref="GroupByKeyAndWindow{TKey, TValue}(DStream{ValueTuple{TKey, TValue}}, TimeSpan, TimeSpan)"/> with the
    /// result in <paramref name="numPartitions"/> partitions (Spark's <c>groupByKeyAndWindow(window, slide,
    /// numPartitions)</c>). The count is kept on the stream (<see cref="DStream.NumPartitions"/>) and takes effect where
    /// batches run in parallel partitions; the groups are the same for any count.
    /// </summary>
    /// <exception cref="ArgumentException">A duration is not positive or not a multiple of the stream's slide.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numPartitions"/> is not positive.</exception>
    public static DStream<(TKey Key, IReadOnlyList<TValue> Values)> GroupByKeyAndWindow<TKey, TValue>(
        this DStream<(TKey Key, TValue Value)> stream, TimeSpan windowDuration, TimeSpan slideDuration, int numPartitions)
        where TKey : notnull
    {
        DStream.RequirePartitions(numPartitions, nameof(GroupByKeyAndWindow));
        return DStream.WithNumPartitions(stream.GroupByKeyAndWindow(windowDuration, slideDuration), numPartitions, nameof(GroupByKeyAndWindow));
    }
}
