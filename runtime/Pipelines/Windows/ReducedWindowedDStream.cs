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
/// </remarks>
internal sealed class ReducedWindowedDStream<TKey, TValue> : DStream<(TKey Key, TValue Value)>, IReducedWindowStream<TKey, TValue>, IDescribedStream
    where TKey : notnull
{
    private readonly WindowInput<(TKey Key, TValue Value)> _input;
    private readonly Func<TValue, TValue, TValue> _reduce;
    private readonly Func<TValue, TValue, TValue> _inverseReduce;
    private readonly Func<(TKey Key, TValue Value), bool>? _filter;
    private readonly TimeSpan _slideDuration;
    private readonly SortedDictionary<BatchTime, Dictionary<TKey, TValue>> _kept = [];
    private Dictionary<TKey, TValue> _result = [];
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
    internal int KeptBatchCount => _kept.Count;

    /// <summary>The window's result keys, its kept batches and their estimated size (read without a lock: exact between batches).</summary>
    public StreamDescription Describe(StreamDescription description)
    {
        var keys = (long)_result.Count;
        var keptEntries = Volatile.Read(ref _keptEntries);
        return description with
        {
            Kind = StreamKind.Window,
            StateKeys = keys,
            EstimatedStateBytes = (keys + keptEntries) * StateSizes.EntryBytes<TKey, TValue>(),
            WindowBatchesHeld = _kept.Count,
            WindowRecordsHeld = keptEntries,
        };
    }

    internal override Batch<(TKey Key, TValue Value)>? Compute(BatchTime time)
    {
        var windowStart = time - WindowDuration;
        var fresh = StateTime is not { } previous || previous <= windowStart;
        var enterAfter = fresh ? windowStart : StateTime!.Value;

        var entering = new List<(BatchTime Time, Dictionary<TKey, TValue> Values)>();
        foreach (var parentTime in _input.Times(enterAfter, time))
        {
            if (_input.Read(parentTime, time) is not { } batch)
            {
                continue;
            }

            try
            {
                entering.Add((parentTime, ReduceBatch(batch)));
            }
            catch
            {
                _input.MarkFailed(parentTime, time);
                throw;
            }
        }

        Dictionary<TKey, TValue> next;
        Batch<(TKey, TValue)> output;
        try
        {
            (next, output) = Merge(windowStart, fresh, entering);
        }
        catch
        {
            foreach (var (parentTime, _) in entering)
            {
                _input.MarkFailed(parentTime, time);
            }

            throw;
        }

        // Commit: nothing below runs user code.
        if (fresh)
        {
            _kept.Clear();
        }
        else
        {
            RemoveKeptUpTo(windowStart);
        }

        foreach (var (parentTime, values) in entering)
        {
            if (values.Count > 0)
            {
                _kept[parentTime] = values;
            }
        }

        _result = next;
        StateTime = time;
        CountKeptEntries();
        return output;
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
        var kept = new List<ReducedWindowBatch<TKey, TValue>>(_kept.Count);
        foreach (var (time, values) in _kept)
        {
            kept.Add(new ReducedWindowBatch<TKey, TValue>(time, values.ToArray()));
        }

        return new ReducedWindowSnapshot<TKey, TValue>(StateTime, _result.ToArray(), kept);
    }

    public void ImportWindow(ReducedWindowSnapshot<TKey, TValue> snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        _kept.Clear();
        foreach (var batch in snapshot.KeptBatches)
        {
            _kept[batch.Time] = new Dictionary<TKey, TValue>(batch.Values);
        }

        _result = new Dictionary<TKey, TValue>(snapshot.Result);
        StateTime = snapshot.Time;
        CountKeptEntries();
    }

    /// <summary>Counts the kept batches' entries once per window, on the job thread, for <see cref="Describe"/>.</summary>
    private void CountKeptEntries()
    {
        long entries = 0;
        foreach (var (_, values) in _kept)
        {
            entries += values.Count;
        }

        Volatile.Write(ref _keptEntries, entries);
    }

    private Dictionary<TKey, TValue> ReduceBatch(Batch<(TKey Key, TValue Value)> batch)
    {
        var totals = new Dictionary<TKey, TValue>();
        foreach (var (key, value) in batch.Span)
        {
            ref var total = ref CollectionsMarshal.GetValueRefOrAddDefault(totals, key, out var exists);
            total = exists ? _reduce(total!, value) : value;
        }

        return totals;
    }

    /// <summary>The new result and the output; runs the user's functions and changes nothing.</summary>
    private (Dictionary<TKey, TValue> Next, Batch<(TKey, TValue)> Output) Merge(
        BatchTime windowStart, bool fresh, List<(BatchTime Time, Dictionary<TKey, TValue> Values)> entering)
    {
        var next = fresh ? new Dictionary<TKey, TValue>() : new Dictionary<TKey, TValue>(_result);
        var changed = new HashSet<TKey>();
        if (!fresh)
        {
            // Spark: previous = invReduce(previous, reduce(old values in time order)), for each key that has old values.
            var leaving = new Dictionary<TKey, TValue>();
            foreach (var (time, values) in _kept)
            {
                if (time > windowStart)
                {
                    break;
                }

                Accumulate(leaving, values);
            }

            foreach (var (key, old) in leaving)
            {
                ref var value = ref CollectionsMarshal.GetValueRefOrNullRef(next, key);
                if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref value))
                {
                    value = _inverseReduce(value, old);
                    changed.Add(key);
                }
            }
        }

        // Spark: then reduce(previous, reduce(new values in time order)), or the new values alone for a new key.
        var arriving = new Dictionary<TKey, TValue>();
        foreach (var (_, values) in entering)
        {
            Accumulate(arriving, values);
        }

        foreach (var (key, added) in arriving)
        {
            ref var value = ref CollectionsMarshal.GetValueRefOrAddDefault(next, key, out var exists);
            value = exists ? _reduce(value!, added) : added;
            changed.Add(key);
        }

        var builder = new BatchBuilder<(TKey, TValue)>(next.Count);
        if (_filter is null)
        {
            foreach (var (key, value) in next)
            {
                builder.Add((key, value));
            }

            return (next, builder.ToBatch());
        }

        // A rejected key leaves the kept result once no batch still in the window has values for it.
        var rejected = new List<TKey>();
        foreach (var (key, value) in next)
        {
            if (_filter((key, value)))
            {
                builder.Add((key, value));
            }
            else if (changed.Contains(key))
            {
                rejected.Add(key);
            }
        }

        foreach (var key in rejected)
        {
            if (!InAnyRemainingBatch(key, windowStart, fresh, entering))
            {
                next.Remove(key);
            }
        }

        return (next, builder.ToBatch());
    }

    private void Accumulate(Dictionary<TKey, TValue> into, Dictionary<TKey, TValue> values)
    {
        foreach (var (key, value) in values)
        {
            ref var total = ref CollectionsMarshal.GetValueRefOrAddDefault(into, key, out var exists);
            total = exists ? _reduce(total!, value) : value;
        }
    }

    private bool InAnyRemainingBatch(TKey key, BatchTime windowStart, bool fresh, List<(BatchTime Time, Dictionary<TKey, TValue> Values)> entering)
    {
        foreach (var (_, values) in entering)
        {
            if (values.ContainsKey(key))
            {
                return true;
            }
        }

        if (!fresh)
        {
            foreach (var (time, values) in _kept)
            {
                if (time > windowStart && values.ContainsKey(key))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private void RemoveKeptUpTo(BatchTime time)
    {
        while (_kept.Count > 0)
        {
            var oldest = _kept.First().Key;
            if (oldest > time)
            {
                return;
            }

            _kept.Remove(oldest);
        }
    }
}
