using System.Runtime.InteropServices;
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
/// The data lives in a <see cref="KeyedWindowTable{TKey, TValue}"/>: keys interned once into ids, the result
/// and the scratch of a step in arrays indexed by id, the kept batches in a ring of reused per-batch partial
/// aggregates. A step computes the new values of the keys it touches into scratch (user code runs only
/// there), writes the output straight into the output batch, and only then commits in place.
/// </para>
/// </remarks>
internal sealed class ReducedWindowedDStream<TKey, TValue> : DStream<(TKey Key, TValue Value)>, IReducedWindowStream<TKey, TValue>, IDescribedStream
    where TKey : notnull
{
    private readonly WindowInput<(TKey Key, TValue Value)> _input;
    private readonly Func<TValue, TValue, TValue> _reduce;
    private readonly Func<TValue, TValue, TValue> _inverseReduce;
    private readonly Func<(TKey Key, TValue Value), bool>? _filter;
    private readonly TimeSpan _slideDuration;
    private readonly KeyedWindowTable<TKey, TValue> _table = new();
    private readonly List<WindowSlice<TValue>> _entering = [];
    private long _keptEntries;

    public ReducedWindowedDStream(
        DStream<(TKey Key, TValue Value)> parent,
        string name,
        Func<TValue, TValue, TValue> reduce,
        Func<TValue, TValue, TValue> inverseReduce,
        Func<(TKey Key, TValue Value), bool>? filter,
        TimeSpan windowDuration,
        TimeSpan slideDuration)
        : base(parent.Context, name)
    {
        WindowDurations.Validate(parent, name, windowDuration, slideDuration);
        _input = new WindowInput<(TKey, TValue)>(parent);
        _reduce = reduce;
        _inverseReduce = inverseReduce;
        _filter = filter;
        WindowDuration = windowDuration;
        _slideDuration = slideDuration;
        StateKey = parent.Context.NextStateKey(name);
    }

    public TimeSpan WindowDuration { get; }

    public override TimeSpan SlideDuration => _slideDuration;

    internal override IReadOnlyList<DStream> Dependencies => [_input.Parent];

    /// <summary>As Spark: parent batches stay remembered for a window, so windows after a failed one still find theirs.</summary>
    internal override TimeSpan ParentRememberDuration => RememberDuration + WindowDuration;

    public string StateKey { get; }

    public BatchTime? StateTime { get; private set; }

    /// <summary>How many parent batches the window keeps reduced (for tests: bounded by the window).</summary>
    internal int KeptBatchCount => _table.KeptBatchCount;

    /// <summary>How many keys the window's table holds (for tests: keys leave once no kept batch or result holds them).</summary>
    internal int InternedKeyCount => _table.InternedKeyCount;

    /// <summary>The window's result keys, its kept batches and their estimated size (read without a lock: exact between batches).</summary>
    public StreamDescription Describe(StreamDescription description)
    {
        var keys = (long)_table.ResultCount;
        var keptEntries = Volatile.Read(ref _keptEntries);
        return description with
        {
            Kind = StreamKind.Window,
            StateKeys = keys,
            EstimatedStateBytes = (keys + keptEntries) * StateSizes.EntryBytes<TKey, TValue>(),
            WindowBatchesHeld = _table.KeptBatchCount,
            WindowRecordsHeld = keptEntries,
        };
    }

    internal override Batch<(TKey Key, TValue Value)>? Compute(BatchTime time)
    {
        var windowStart = time - WindowDuration;
        var fresh = StateTime is not { } previous || previous <= windowStart;
        var enterAfter = fresh ? windowStart : StateTime!.Value;

        _table.BeginStep();
        _entering.Clear();
        foreach (var parentTime in _input.Times(enterAfter, time))
        {
            Batch<(TKey Key, TValue Value)>? batch;
            try
            {
                batch = _input.Read(parentTime, time);
            }
            catch
            {
                _table.Abort(_entering);
                throw;
            }

            if (batch is null)
            {
                continue;
            }

            var slice = _table.RentSlice(parentTime);
            _entering.Add(slice);
            try
            {
                _table.ReduceInto(slice, batch.Span, _reduce);
            }
            catch
            {
                _input.MarkFailed(parentTime, time);
                _table.Abort(_entering);
                throw;
            }
        }

        var output = new BatchBuilder<(TKey, TValue)>(0);
        try
        {
            _table.Merge(windowStart, fresh, _entering, _reduce, _inverseReduce, _filter, output);
        }
        catch
        {
            foreach (var slice in _entering)
            {
                _input.MarkFailed(slice.Time, time);
            }

            _table.Abort(_entering);
            throw;
        }

        // Commit: nothing below runs user code.
        _table.Commit(windowStart, fresh, _entering);
        _entering.Clear();
        StateTime = time;
        CountKeptEntries();
        return output.ToBatch();
    }

    internal override void ClearMetadata(BatchTime time)
    {
        base.ClearMetadata(time);
        _input.ForgetUpTo(time - WindowDuration);
    }

    public void Accept(IStatefulStreamVisitor visitor)
    {
        ArgumentNullException.ThrowIfNull(visitor);
        visitor.VisitReducedWindow(this);
    }

    public ReducedWindowSnapshot<TKey, TValue> ExportWindow()
    {
        var kept = new List<ReducedWindowBatch<TKey, TValue>>(_table.KeptBatchCount);
        for (var b = 0; b < _table.KeptBatchCount; b++)
        {
            var slice = _table.KeptBatch(b);
            var values = new KeyValuePair<TKey, TValue>[slice.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = new KeyValuePair<TKey, TValue>(_table.KeyOf(slice.Ids[i]), slice.Values[i]);
            }

            kept.Add(new ReducedWindowBatch<TKey, TValue>(slice.Time, values));
        }

        var ids = _table.ResultIds;
        var result = new KeyValuePair<TKey, TValue>[ids.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = new KeyValuePair<TKey, TValue>(_table.KeyOf(ids[i]), _table.ResultOf(ids[i]));
        }

        return new ReducedWindowSnapshot<TKey, TValue>(StateTime, result, kept);
    }

    public void ImportWindow(ReducedWindowSnapshot<TKey, TValue> snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        _table.Clear();
        _table.ImportResult(snapshot.Result);
        foreach (var batch in snapshot.KeptBatches)
        {
            if (batch.Values.Count == 0)
            {
                continue;
            }

            var slice = _table.RentSlice(batch.Time);
            _table.ImportSlice(slice, batch.Values);
            _table.KeepImported(slice);
        }

        StateTime = snapshot.Time;
        CountKeptEntries();
    }

    /// <summary>Counts the kept batches' entries once per window, on the job thread, for <see cref="Describe"/>.</summary>
    private void CountKeptEntries()
    {
        long entries = 0;
        for (var i = 0; i < _table.KeptBatchCount; i++)
        {
            entries += _table.KeptBatch(i).Count;
        }

        Volatile.Write(ref _keptEntries, entries);
    }
}
