using Pipelines.Compilation;
using Pipelines.Operators;
using Pipelines.Stateful;

namespace Pipelines.Windows;

/// <summary>
/// Spark's <c>ReducedWindowedDStream</c>: <c>ReduceByKeyAndWindow</c> with an inverse function. Each window is
/// the previous window's result, minus the batches that left (with the inverse function), plus the batches
/// that entered; it keeps each parent batch of the window reduced by key, and nothing older.
/// </summary>
/// <remarks>
/// <para>
/// As in Spark, a key whose value went back to neutral (e.g. a count of 0) stays in the result unless the
/// filter drops it. The filter decides the output; a key it rejects is also dropped from the kept result once
/// no kept batch has values for it, so the result of a filter that rejects neutral values is exactly the
/// recomputed window's result, filtered.
/// </para>
/// <para>
/// A batch is atomic: if a function throws, the result and the kept batches stay as they were, the window
/// fails, and the next window continues from the last successful one without the parent batches that entered
/// in the failed window (their data is dropped, as a failed batch's is). When the last successful window
/// does not overlap the new one, the new window is reduced from its batches alone.
/// </para>
/// <para>
/// The data lives in a <see cref="KeyedWindowTable{TKey, TValue}"/> (see <see cref="KeyedWindowDStream{TIn, TKey, TValue}"/>): keys interned once into ids, the result
/// and the scratch of a step in arrays indexed by id, the kept batches in a ring of reused per-batch partial
/// aggregates. A step computes the new values of the keys it touches into scratch (user code runs only
/// there), writes the output straight into the output batch, and only then commits in place.
/// </para>
/// </remarks>
internal sealed class ReducedWindowedDStream<TIn, TKey, TValue>
    : KeyedWindowDStream<TIn, TKey, TValue>, IReducedWindowStream<TKey, TValue>
    where TKey : notnull
{
    private readonly Func<TValue, TValue, TValue> _inverseReduce;
    private readonly Func<(TKey Key, TValue Value), bool>? _filter;

    public ReducedWindowedDStream(
        DStream<TIn> parent,
        string name,
        Func<IWindowSliceStage<TIn, TKey, TValue>> createStage,
        Func<TValue, TValue, TValue> reduce,
        Func<TValue, TValue, TValue> inverseReduce,
        Func<(TKey Key, TValue Value), bool>? filter,
        TimeSpan windowDuration,
        TimeSpan slideDuration)
        : base(parent, name, createStage, reduce, windowDuration, slideDuration)
    {
        _inverseReduce = inverseReduce;
        _filter = filter;
        StateKey = parent.Context.NextStateKey(name);
    }

    public string StateKey { get; }

    public void Accept(IStatefulStreamVisitor visitor)
    {
        ArgumentNullException.ThrowIfNull(visitor);
        visitor.VisitReducedWindow(this);
    }

    public ReducedWindowSnapshot<TKey, TValue> ExportWindow()
    {
        var kept = new List<ReducedWindowBatch<TKey, TValue>>(Table.KeptBatchCount);
        for (var b = 0; b < Table.KeptBatchCount; b++)
        {
            var slice = Table.KeptBatch(b);
            var values = new KeyValuePair<TKey, TValue>[slice.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = new KeyValuePair<TKey, TValue>(Table.KeyOf(slice.Ids[i]), slice.Values[i]);
            }

            kept.Add(new ReducedWindowBatch<TKey, TValue>(slice.Time, values));
        }

        var ids = Table.ResultIds;
        var result = new KeyValuePair<TKey, TValue>[ids.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = new KeyValuePair<TKey, TValue>(Table.KeyOf(ids[i]), Table.ResultOf(ids[i]));
        }

        return new ReducedWindowSnapshot<TKey, TValue>(StateTime, result, kept);
    }

    public void ImportWindow(ReducedWindowSnapshot<TKey, TValue> snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Table.Clear();
        Table.ImportResult(snapshot.Result);
        foreach (var batch in snapshot.KeptBatches)
        {
            if (batch.Values.Count == 0)
            {
                continue;
            }

            var slice = Table.RentSlice(batch.Time);
            Table.ImportSlice(slice, batch.Values);
            Table.KeepImported(slice);
        }

        StateTime = snapshot.Time;
        CountKeptEntries();
    }

    protected override void Merge(BatchTime windowStart, bool fresh, List<WindowSlice<TValue>> entering, BatchBuilder<(TKey, TValue)> output) =>
        Table.Merge(windowStart, fresh, entering, Reducer, _inverseReduce, _filter, output);
}

/// <summary>Creates the interpreted keyed windows (the per-batch reduce through the reducer).</summary>
internal static class KeyedWindows
{
    public static ReducedWindowedDStream<(TKey Key, TValue Value), TKey, TValue> Incremental<TKey, TValue>(
        DStream<(TKey Key, TValue Value)> parent,
        string name,
        Func<TValue, TValue, TValue> reduce,
        Func<TValue, TValue, TValue> inverseReduce,
        Func<(TKey Key, TValue Value), bool>? filter,
        TimeSpan windowDuration,
        TimeSpan slideDuration)
        where TKey : notnull =>
        new(parent, name, Shared(new PairSliceStage<TKey, TValue>(reduce)), reduce, inverseReduce, filter, windowDuration, slideDuration);

    public static RecomputedWindowDStream<(TKey Key, TValue Value), TKey, TValue> Recomputed<TKey, TValue>(
        DStream<(TKey Key, TValue Value)> parent, string name, Func<TValue, TValue, TValue> reduce, TimeSpan windowDuration, TimeSpan slideDuration)
        where TKey : notnull =>
        new(parent, name, Shared(new PairSliceStage<TKey, TValue>(reduce)), reduce, windowDuration, slideDuration);

    /// <summary>A factory handing out one stateless interpreted stage (safe to run on several partitions at once).</summary>
    public static Func<IWindowSliceStage<TIn, TKey, TValue>> Shared<TIn, TKey, TValue>(IWindowSliceStage<TIn, TKey, TValue> stage)
        where TKey : notnull => () => stage;

    /// <summary>The values of an unkeyed window (key 0): <c>ReduceByWindow</c>'s and <c>CountByWindow</c>'s output.</summary>
    public static DStream<TValue> Values<TValue>(DStream<(byte Key, TValue Value)> window, string name) =>
        new TransformedDStream<(byte Key, TValue Value), TValue>(window, name, static (batch, _) => NarrowKernels.Map(batch, static pair => pair.Value));
}
