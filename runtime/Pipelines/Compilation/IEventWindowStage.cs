using System.ComponentModel;

namespace Pipelines.Compilation;

/// <summary>
/// A generated stage that fuses the per-batch part of an event-time window: it reads each input record, runs the
/// narrow operators before and after <c>WithEventTime</c>, reads the record's event time with the user's function
/// (inlined), reports it for the watermark (<see cref="EventWindowBatch{TRecord, TKey, TAcc}.Observe"/>), sets late
/// records aside and pre-aggregates the on-time ones by (window, key) straight into
/// <see cref="EventWindowBatch{TRecord, TKey, TAcc}"/>. The runtime then merges that batch into its open windows,
/// moves the watermark, emits and evicts (see <see cref="CompiledEventTime"/>). Generated code implements it.
/// </summary>
/// <remarks>
/// Called on the job thread only, one batch at a time. The stage must not keep anything between batches: what
/// survives a batch (open windows, watermark, late count) lives in the runtime and is checkpointed there. When
/// <see cref="EventWindowBatch{TRecord, TKey, TAcc}.ObserveOnly"/> is set (the runtime runs the loop again after it
/// threw), the loop stops after reporting each event time.
/// </remarks>
/// <typeparam name="TIn">The records of the input stream (before <c>WithEventTime</c> and the narrow operators).</typeparam>
/// <typeparam name="TRecord">The records the window operator reads (what a late record is).</typeparam>
/// <typeparam name="TKey">The key of the window's aggregates (a constant <see cref="byte"/> for the unkeyed windows).</typeparam>
/// <typeparam name="TAcc">The aggregate of one key in one window.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IEventWindowStage<TIn, TRecord, TKey, TAcc>
    where TKey : notnull
{
    /// <summary>Runs the fused loop over <paramref name="input"/>, writing into <paramref name="batch"/>.</summary>
    /// <param name="input">The input batch (read-only; valid for the duration of the call; empty when the input has no batch).</param>
    /// <param name="batch">An empty pre-aggregation table, with the watermark in force before this batch.</param>
    void Process(Batch<TIn> input, EventWindowBatch<TRecord, TKey, TAcc> batch);

    /// <summary>Combines an open window's aggregate with the same window and key's aggregate of a batch (the user's reducer, inlined).</summary>
    /// <param name="open">The aggregate so far (from earlier batches).</param>
    /// <param name="batch">The aggregate of the current batch.</param>
    /// <returns>The combined aggregate; <paramref name="open"/> must not be changed in place.</returns>
    TAcc Merge(TAcc open, TAcc batch);
}
