using Pipelines.Compilation;
using Pipelines.Partitioning;
using Pipelines.Stateful;

namespace Pipelines.Windows;

/// <summary>
/// A keyed window on a <see cref="KeyedWindowTable{TKey, TValue}"/>: each parent batch that enters the window is
/// reduced by key once, straight into a reused per-batch slice (by a generated stage, or by the reducer for the
/// interpreted operators), and the window's output is computed from the kept slices. The incremental form
/// (<see cref="ReducedWindowedDStream{TIn, TKey, TValue}"/>) keeps a result and subtracts leaving batches; the
/// recomputed form (<see cref="RecomputedWindowDStream{TIn, TKey, TValue}"/>) reduces the kept slices again.
/// </summary>
/// <remarks>
/// A window step is atomic: slices are filled and the output computed into scratch first (user code runs only
/// there); the table changes only after every user function returned. A parent batch whose reduce throws fails
/// the window that first needed it, and later windows skip it.
/// </remarks>
internal abstract class KeyedWindowDStream<TIn, TKey, TValue> : DStream<(TKey Key, TValue Value)>, IDescribedStream
    where TKey : notnull
{
    private readonly WindowInput<TIn> _input;
    private readonly IWindowSliceStage<TIn, TKey, TValue> _stage;
    private readonly WindowSliceWriter<TKey, TValue> _writer;
    private readonly ParallelSliceFill<TIn, TKey, TValue> _parallelFill;
    private readonly int _parallelism;
    private readonly TimeSpan _slideDuration;
    private readonly List<WindowSlice<TValue>> _entering = [];
    private long _keptEntries;

    /// <param name="parent">The stream whose batches enter the window.</param>
    /// <param name="name">The operator's name (also names the state key).</param>
    /// <param name="createStage">
    /// Creates the per-batch stage: once for the job thread, and once per partition when the partitions of a parent
    /// batch are reduced at the same time (<see cref="StreamingOptions.Parallelism"/> above 1).
    /// </param>
    /// <param name="reduce">Combines two values of a key (across partitions and batches).</param>
    /// <param name="windowDuration">The window length.</param>
    /// <param name="slideDuration">The interval between windows.</param>
    protected KeyedWindowDStream(
        DStream<TIn> parent,
        string name,
        Func<IWindowSliceStage<TIn, TKey, TValue>> createStage,
        Func<TValue, TValue, TValue> reduce,
        TimeSpan windowDuration,
        TimeSpan slideDuration)
        : base(parent.Context, name)
    {
        WindowDurations.Validate(parent, name, windowDuration, slideDuration);
        _input = new WindowInput<TIn>(parent);
        _stage = createStage() ?? throw new InvalidOperationException("The window's stage factory returned null.");
        _parallelFill = new ParallelSliceFill<TIn, TKey, TValue>(createStage);
        _parallelism = parent.Context.Options.Parallelism;
        _writer = new WindowSliceWriter<TKey, TValue>(Table);
        Reducer = reduce;
        WindowDuration = windowDuration;
        _slideDuration = slideDuration;
    }

    public TimeSpan WindowDuration { get; }

    public override TimeSpan SlideDuration => _slideDuration;

    internal override IReadOnlyList<DStream> Dependencies => [_input.Parent];

    /// <summary>As Spark: parent batches stay remembered for a window, so windows after a failed one still find theirs.</summary>
    internal override TimeSpan ParentRememberDuration => RememberDuration + WindowDuration;

    /// <summary>The time of the last successful window; <c>null</c> before the first.</summary>
    public BatchTime? StateTime { get; protected set; }

    /// <summary>How many parent batches the window keeps reduced (for tests: bounded by the window).</summary>
    internal int KeptBatchCount => Table.KeptBatchCount;

    /// <summary>How many keys the window's table holds (for tests: keys leave once no kept batch or result holds them).</summary>
    internal int InternedKeyCount => Table.InternedKeyCount;

    protected KeyedWindowTable<TKey, TValue> Table { get; } = new();

    protected Func<TValue, TValue, TValue> Reducer { get; }

    /// <summary>The window's result keys, its kept batches and their estimated size (read without a lock: exact between batches).</summary>
    public StreamDescription Describe(StreamDescription description)
    {
        var keys = (long)Table.ResultCount;
        var keptEntries = Volatile.Read(ref _keptEntries);
        return description with
        {
            Kind = StreamKind.Window,
            StateKeys = keys,
            EstimatedStateBytes = (keys + keptEntries) * StateSizes.EntryBytes<TKey, TValue>(),
            WindowBatchesHeld = Table.KeptBatchCount,
            WindowRecordsHeld = keptEntries,
        };
    }

    internal override Batch<(TKey Key, TValue Value)>? Compute(BatchTime time)
    {
        var windowStart = time - WindowDuration;
        var fresh = StateTime is not { } previous || previous <= windowStart;
        var enterAfter = fresh ? windowStart : StateTime!.Value;

        Table.BeginStep();
        _entering.Clear();
        foreach (var parentTime in _input.Times(enterAfter, time))
        {
            Batch<TIn>? batch;
            try
            {
                batch = _input.Read(parentTime, time);
            }
            catch
            {
                Table.Abort(_entering);
                throw;
            }

            if (batch is null)
            {
                continue;
            }

            var slice = Table.RentSlice(parentTime);
            _entering.Add(slice);
            Table.BeginSlice(slice);
            try
            {
                if (_parallelism > 1 && batch.PartitionCount > 1 && batch.Count >= PartitionLoop.MinRecordsForParallelRun)
                {
                    _parallelFill.Fill(batch, _parallelism, Table, Reducer);
                }
                else
                {
                    _stage.Process(batch, _writer);
                }
            }
            catch
            {
                Table.EndSlice();
                _input.MarkFailed(parentTime, time);
                Table.Abort(_entering);
                throw;
            }

            Table.EndSlice();
        }

        var output = new BatchBuilder<(TKey, TValue)>(0);
        try
        {
            Merge(windowStart, fresh, _entering, output);
        }
        catch
        {
            output.ToBatch().Release();
            OnMergeFailed(windowStart, fresh, _entering, time);
            _entering.Clear();
            throw;
        }

        // Commit: nothing below runs user code.
        Table.Commit(windowStart, fresh, _entering);
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

    /// <summary>Computes the window's output from the kept and the entering slices into <paramref name="output"/> (runs user code; changes nothing kept).</summary>
    protected abstract void Merge(BatchTime windowStart, bool fresh, List<WindowSlice<TValue>> entering, BatchBuilder<(TKey, TValue)> output);

    /// <summary>What a failed <see cref="Merge"/> leaves: by default the entering batches are dropped (marked failed) and the table stays as it was.</summary>
    protected virtual void OnMergeFailed(BatchTime windowStart, bool fresh, List<WindowSlice<TValue>> entering, BatchTime time)
    {
        foreach (var slice in entering)
        {
            _input.MarkFailed(slice.Time, time);
        }

        Table.Abort(entering);
    }

    /// <summary>Counts the kept batches' entries once per window, on the job thread, for <see cref="Describe"/>.</summary>
    protected void CountKeptEntries()
    {
        long entries = 0;
        for (var i = 0; i < Table.KeptBatchCount; i++)
        {
            entries += Table.KeptBatch(i).Count;
        }

        Volatile.Write(ref _keptEntries, entries);
    }
}

/// <summary>The interpreted per-batch reduce of a keyed window: each pair into the slice, values of a key combined with the reducer in arrival order.</summary>
internal sealed class PairSliceStage<TKey, TValue>(Func<TValue, TValue, TValue> reduce) : IWindowSliceStage<(TKey Key, TValue Value), TKey, TValue>
    where TKey : notnull
{
    public void Process(Batch<(TKey Key, TValue Value)> input, WindowSliceWriter<TKey, TValue> slice)
    {
        for (var p = 0; p < input.PartitionCount; p++)
        {
            foreach (var (key, value) in input.GetPartition(p))
            {
                ref var total = ref slice.GetValueRef(key, out var exists);
                total = exists ? reduce(total, value) : value;
            }
        }
    }
}

/// <summary>
/// Spark's recomputed <c>reduceByKeyAndWindow</c> (and <c>reduceByWindow</c> without an inverse): every window
/// reduces the kept per-batch slices of its batches again, keys in first-seen order. Not stateful: after a restart
/// the first window reads its parent batches again.
/// </summary>
/// <remarks>
/// When the cross-batch reduce throws, the window fails but its entering batches are kept (their own reduce
/// succeeded), so the next window covers them as a recomputation from the parent batches would.
/// </remarks>
internal sealed class RecomputedWindowDStream<TIn, TKey, TValue>(
    DStream<TIn> parent,
    string name,
    Func<IWindowSliceStage<TIn, TKey, TValue>> createStage,
    Func<TValue, TValue, TValue> reduce,
    TimeSpan windowDuration,
    TimeSpan slideDuration)
    : KeyedWindowDStream<TIn, TKey, TValue>(parent, name, createStage, reduce, windowDuration, slideDuration)
    where TKey : notnull
{
    protected override void Merge(BatchTime windowStart, bool fresh, List<WindowSlice<TValue>> entering, BatchBuilder<(TKey, TValue)> output) =>
        Table.MergeRecomputed(windowStart, fresh, entering, Reducer, output);

    protected override void OnMergeFailed(BatchTime windowStart, bool fresh, List<WindowSlice<TValue>> entering, BatchTime time)
    {
        Table.Commit(windowStart, fresh, entering);
        StateTime = time;
        CountKeptEntries();
    }
}
