using System.ComponentModel;
using Pipelines.Windows;

namespace Pipelines.Compilation;

/// <summary>
/// Creates the keyed windows of generated <c>Compile…</c> methods with the per-batch part fused: a generated
/// <see cref="IWindowSliceStage{TIn, TKey, TValue}"/> reduces each parent batch straight into the window's slice for
/// it (no intermediate batch of pairs), and the window then runs as the operator of the same name does. With
/// <see cref="StreamingOptions.Parallelism"/> above 1, the partitions of a large parent batch are reduced at the same
/// time, each by a stage instance of its own into a partition-local table, and merged into the slice in order. Each method
/// takes the user's arguments of the operator it stands for, with the same names, so a call reads as written.
/// Called by generated code only.
/// </summary>
/// <remarks>
/// Windows created here keep the same state keys and checkpoint data as the operators they stand for, so a
/// checkpoint of the interpreted or an earlier compiled definition restores into them.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class CompiledWindow
{
    /// <summary>
    /// <c>ReduceByKeyAndWindow(reducer, windowDuration)</c> over <paramref name="parent"/>, the per-batch reduce done
    /// by <paramref name="createStage"/>'s stages: recomputed from the window's per-batch slices, with the parent's slide.
    /// </summary>
    /// <param name="parent">The stream the fused stage reads.</param>
    /// <param name="createStage">Creates the generated per-batch reduce: one instance for the job thread, one per partition reduced at the same time.</param>
    /// <param name="reducer">Combines two values of a key across batches (as the user wrote it).</param>
    /// <param name="windowDuration">The window length: a multiple of the parent's slide.</param>
    /// <exception cref="ArgumentException">The window is not positive or not a multiple of the parent's slide.</exception>
    public static DStream<(TKey Key, TValue Value)> ReduceByKeyAndWindow<TIn, TKey, TValue>(
        DStream<TIn> parent, Func<IWindowSliceStage<TIn, TKey, TValue>> createStage, Func<TValue, TValue, TValue> reducer, TimeSpan windowDuration)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(parent);
        return ReduceByKeyAndWindow(parent, createStage, reducer, windowDuration, parent.SlideDuration);
    }

    /// <summary>
    /// <c>ReduceByKeyAndWindow(reducer, windowDuration, slideDuration)</c> over <paramref name="parent"/>, the
    /// per-batch reduce done by <paramref name="createStage"/>'s stages: recomputed from the window's per-batch slices.
    /// </summary>
    /// <param name="parent">The stream the fused stage reads.</param>
    /// <param name="createStage">Creates the generated per-batch reduce: one instance for the job thread, one per partition reduced at the same time.</param>
    /// <param name="reducer">Combines two values of a key across batches (as the user wrote it).</param>
    /// <param name="windowDuration">The window length: a multiple of the parent's slide.</param>
    /// <param name="slideDuration">The interval between windows: a multiple of the parent's slide.</param>
    /// <exception cref="ArgumentException">A duration is not positive or not a multiple of the parent's slide.</exception>
    public static DStream<(TKey Key, TValue Value)> ReduceByKeyAndWindow<TIn, TKey, TValue>(
        DStream<TIn> parent, Func<IWindowSliceStage<TIn, TKey, TValue>> createStage, Func<TValue, TValue, TValue> reducer, TimeSpan windowDuration, TimeSpan slideDuration)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(createStage);
        ArgumentNullException.ThrowIfNull(reducer);
        return new RecomputedWindowDStream<TIn, TKey, TValue>(parent, nameof(ReduceByKeyAndWindow), createStage, reducer, windowDuration, slideDuration);
    }

    /// <summary>
    /// <c>ReduceByKeyAndWindow(reducer, windowDuration, slideDuration, numPartitions)</c> over <paramref name="parent"/>,
    /// the per-batch reduce done by <paramref name="createStage"/>'s stages.
    /// </summary>
    /// <param name="parent">The stream the fused stage reads.</param>
    /// <param name="createStage">Creates the generated per-batch reduce: one instance for the job thread, one per partition reduced at the same time.</param>
    /// <param name="reducer">Combines two values of a key across batches (as the user wrote it).</param>
    /// <param name="windowDuration">The window length: a multiple of the parent's slide.</param>
    /// <param name="slideDuration">The interval between windows: a multiple of the parent's slide.</param>
    /// <param name="numPartitions">The partitions of the result (kept on the stream).</param>
    /// <exception cref="ArgumentException">A duration is not positive or not a multiple of the parent's slide.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numPartitions"/> is not positive.</exception>
    public static DStream<(TKey Key, TValue Value)> ReduceByKeyAndWindow<TIn, TKey, TValue>(
        DStream<TIn> parent, Func<IWindowSliceStage<TIn, TKey, TValue>> createStage, Func<TValue, TValue, TValue> reducer, TimeSpan windowDuration, TimeSpan slideDuration, int numPartitions)
        where TKey : notnull
    {
        DStream.RequirePartitions(numPartitions, nameof(ReduceByKeyAndWindow));
        return DStream.WithNumPartitions(ReduceByKeyAndWindow(parent, createStage, reducer, windowDuration, slideDuration), numPartitions, nameof(ReduceByKeyAndWindow));
    }

    /// <summary>
    /// The incremental <c>ReduceByKeyAndWindow(reducer, inverseReducer, windowDuration, slideDuration, filter)</c>
    /// over <paramref name="parent"/>, the per-batch reduce done by <paramref name="createStage"/>'s stages.
    /// </summary>
    /// <param name="parent">The stream the fused stage reads.</param>
    /// <param name="createStage">Creates the generated per-batch reduce: one instance for the job thread, one per partition reduced at the same time.</param>
    /// <param name="reducer">Combines two values; associative and commutative.</param>
    /// <param name="inverseReducer">Undoes <paramref name="reducer"/>.</param>
    /// <param name="windowDuration">The window length: a multiple of the parent's slide.</param>
    /// <param name="slideDuration">The interval between windows; <c>null</c> for the parent's slide.</param>
    /// <param name="filter">Which (key, value) pairs to keep; <c>null</c> keeps all.</param>
    /// <exception cref="ArgumentException">A duration is not positive or not a multiple of the parent's slide.</exception>
    public static DStream<(TKey Key, TValue Value)> ReduceByKeyAndWindow<TIn, TKey, TValue>(
        DStream<TIn> parent,
        Func<IWindowSliceStage<TIn, TKey, TValue>> createStage,
        Func<TValue, TValue, TValue> reducer,
        Func<TValue, TValue, TValue> inverseReducer,
        TimeSpan windowDuration,
        TimeSpan? slideDuration = null,
        Func<(TKey Key, TValue Value), bool>? filter = null)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(createStage);
        ArgumentNullException.ThrowIfNull(reducer);
        ArgumentNullException.ThrowIfNull(inverseReducer);
        return new ReducedWindowedDStream<TIn, TKey, TValue>(
            parent, nameof(ReduceByKeyAndWindow), createStage, reducer, inverseReducer, filter, windowDuration, slideDuration ?? parent.SlideDuration);
    }

    /// <summary>
    /// The incremental <c>ReduceByKeyAndWindow(reducer, inverseReducer, windowDuration, slideDuration, numPartitions,
    /// filter)</c> over <paramref name="parent"/>, the per-batch reduce done by <paramref name="createStage"/>'s stages.
    /// </summary>
    /// <param name="parent">The stream the fused stage reads.</param>
    /// <param name="createStage">Creates the generated per-batch reduce: one instance for the job thread, one per partition reduced at the same time.</param>
    /// <param name="reducer">Combines two values; associative and commutative.</param>
    /// <param name="inverseReducer">Undoes <paramref name="reducer"/>.</param>
    /// <param name="windowDuration">The window length: a multiple of the parent's slide.</param>
    /// <param name="slideDuration">The interval between windows: a multiple of the parent's slide.</param>
    /// <param name="numPartitions">The partitions of the result (kept on the stream).</param>
    /// <param name="filter">Which (key, value) pairs to keep; <c>null</c> keeps all.</param>
    /// <exception cref="ArgumentException">A duration is not positive or not a multiple of the parent's slide.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numPartitions"/> is not positive.</exception>
    public static DStream<(TKey Key, TValue Value)> ReduceByKeyAndWindow<TIn, TKey, TValue>(
        DStream<TIn> parent,
        Func<IWindowSliceStage<TIn, TKey, TValue>> createStage,
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
            ReduceByKeyAndWindow(parent, createStage, reducer, inverseReducer, windowDuration, slideDuration, filter), numPartitions, nameof(ReduceByKeyAndWindow));
    }

    /// <summary>
    /// <c>CountByValueAndWindow(windowDuration, slideDuration)</c> over <paramref name="parent"/>, the per-batch counts
    /// done by <paramref name="createStage"/>'s stages: incremental, values whose count fell to 0 dropped.
    /// </summary>
    /// <param name="parent">The stream the fused stage reads.</param>
    /// <param name="createStage">Creates the generated per-batch count: one instance for the job thread, one per partition counted at the same time.</param>
    /// <param name="windowDuration">The window length: a multiple of the parent's slide.</param>
    /// <param name="slideDuration">The interval between windows: a multiple of the parent's slide.</param>
    /// <exception cref="ArgumentException">A duration is not positive or not a multiple of the parent's slide.</exception>
    public static DStream<(T Value, long Count)> CountByValueAndWindow<TIn, T>(
        DStream<TIn> parent, Func<IWindowSliceStage<TIn, T, long>> createStage, TimeSpan windowDuration, TimeSpan slideDuration)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(createStage);
        return new ReducedWindowedDStream<TIn, T, long>(
            parent, nameof(CountByValueAndWindow), createStage, static (a, b) => a + b, static (a, b) => a - b, static pair => pair.Value != 0, windowDuration, slideDuration);
    }

    /// <summary><c>CountByValueAndWindow(windowDuration, slideDuration, numPartitions)</c> over <paramref name="parent"/>, fused as the overload without partitions.</summary>
    /// <param name="parent">The stream the fused stage reads.</param>
    /// <param name="createStage">Creates the generated per-batch count: one instance for the job thread, one per partition counted at the same time.</param>
    /// <param name="windowDuration">The window length: a multiple of the parent's slide.</param>
    /// <param name="slideDuration">The interval between windows: a multiple of the parent's slide.</param>
    /// <param name="numPartitions">The partitions of the result (kept on the stream).</param>
    /// <exception cref="ArgumentException">A duration is not positive or not a multiple of the parent's slide.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numPartitions"/> is not positive.</exception>
    public static DStream<(T Value, long Count)> CountByValueAndWindow<TIn, T>(
        DStream<TIn> parent, Func<IWindowSliceStage<TIn, T, long>> createStage, TimeSpan windowDuration, TimeSpan slideDuration, int numPartitions)
        where T : notnull
    {
        DStream.RequirePartitions(numPartitions, nameof(CountByValueAndWindow));
        return DStream.WithNumPartitions(CountByValueAndWindow(parent, createStage, windowDuration, slideDuration), numPartitions, nameof(CountByValueAndWindow));
    }

    /// <summary>
    /// <c>ReduceByWindow(reducer, windowDuration, slideDuration)</c> over <paramref name="parent"/>, each batch reduced
    /// by <paramref name="createStage"/>'s stages under key 0: recomputed from the window's per-batch values; an empty window gives
    /// an empty batch.
    /// </summary>
    /// <param name="parent">The stream the fused stage reads.</param>
    /// <param name="createStage">Creates the generated per-batch reduce: one instance for the job thread, one per partition reduced at the same time.</param>
    /// <param name="reducer">Combines two values across batches (as the user wrote it).</param>
    /// <param name="windowDuration">The window length: a multiple of the parent's slide.</param>
    /// <param name="slideDuration">The interval between windows: a multiple of the parent's slide.</param>
    /// <exception cref="ArgumentException">A duration is not positive or not a multiple of the parent's slide.</exception>
    public static DStream<T> ReduceByWindow<TIn, T>(
        DStream<TIn> parent, Func<IWindowSliceStage<TIn, byte, T>> createStage, Func<T, T, T> reducer, TimeSpan windowDuration, TimeSpan slideDuration)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(createStage);
        ArgumentNullException.ThrowIfNull(reducer);
        var reduced = new RecomputedWindowDStream<TIn, byte, T>(parent, nameof(ReduceByWindow), createStage, reducer, windowDuration, slideDuration);
        return KeyedWindows.Values(reduced, nameof(ReduceByWindow));
    }

    /// <summary>
    /// The incremental <c>ReduceByWindow(reducer, inverseReducer, windowDuration, slideDuration)</c> over
    /// <paramref name="parent"/>, each batch reduced by <paramref name="createStage"/>'s stages under key 0.
    /// </summary>
    /// <param name="parent">The stream the fused stage reads.</param>
    /// <param name="createStage">Creates the generated per-batch reduce: one instance for the job thread, one per partition reduced at the same time.</param>
    /// <param name="reducer">Combines two values; associative and commutative.</param>
    /// <param name="inverseReducer">Undoes <paramref name="reducer"/>.</param>
    /// <param name="windowDuration">The window length: a multiple of the parent's slide.</param>
    /// <param name="slideDuration">The interval between windows: a multiple of the parent's slide.</param>
    /// <exception cref="ArgumentException">A duration is not positive or not a multiple of the parent's slide.</exception>
    public static DStream<T> ReduceByWindow<TIn, T>(
        DStream<TIn> parent, Func<IWindowSliceStage<TIn, byte, T>> createStage, Func<T, T, T> reducer, Func<T, T, T> inverseReducer, TimeSpan windowDuration, TimeSpan slideDuration)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(createStage);
        ArgumentNullException.ThrowIfNull(reducer);
        ArgumentNullException.ThrowIfNull(inverseReducer);
        var reduced = new ReducedWindowedDStream<TIn, byte, T>(parent, nameof(ReduceByWindow), createStage, reducer, inverseReducer, filter: null, windowDuration, slideDuration);
        return KeyedWindows.Values(reduced, nameof(ReduceByWindow));
    }

    /// <summary>
    /// <c>CountByWindow(windowDuration, slideDuration)</c> over <paramref name="parent"/>, each batch's count written by
    /// <paramref name="createStage"/>'s stages under key 0: incremental, as the operator.
    /// </summary>
    /// <param name="parent">The stream the fused stage reads.</param>
    /// <param name="createStage">Creates the generated per-batch count: one instance for the job thread, one per partition counted at the same time.</param>
    /// <param name="windowDuration">The window length: a multiple of the parent's slide.</param>
    /// <param name="slideDuration">The interval between windows: a multiple of the parent's slide.</param>
    /// <exception cref="ArgumentException">A duration is not positive or not a multiple of the parent's slide.</exception>
    public static DStream<long> CountByWindow<TIn>(DStream<TIn> parent, Func<IWindowSliceStage<TIn, byte, long>> createStage, TimeSpan windowDuration, TimeSpan slideDuration)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(createStage);
        var counts = new ReducedWindowedDStream<TIn, byte, long>(
            parent, nameof(CountByWindow), createStage, static (a, b) => a + b, static (a, b) => a - b, filter: null, windowDuration, slideDuration);
        return KeyedWindows.Values(counts, nameof(CountByWindow));
    }
}
