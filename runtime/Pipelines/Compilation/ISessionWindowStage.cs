using System.ComponentModel;

namespace Pipelines.Compilation;

/// <summary>
/// A generated stage that fuses the per-batch part of an event-time session window
/// (<c>ReduceByKeyAndSessionWindow</c>): it reads each input record, runs the narrow operators before and after
/// <c>WithEventTime</c>, reads the record's event time with the user's function (inlined), reports it for the watermark
/// (<see cref="SessionWindowBatch{TKey, TValue}.Observe"/>), sets late records aside
/// (<see cref="SessionWindowBatch{TKey, TValue}.AddLate"/>) and adds the on-time ones, grouped by key, into the batch's
/// sessions (<see cref="SessionWindowBatch{TKey, TValue}.Add"/>). The runtime then commits the merged sessions, moves
/// the watermark, emits and evicts (see <see cref="CompiledEventTime.ReduceByKeyAndSessionWindow"/>). Generated code
/// implements it.
/// </summary>
/// <remarks>
/// Called on the job thread only, one batch at a time. The stage must not keep anything between batches: what
/// survives a batch (open sessions, watermark, late count) lives in the runtime and is checkpointed there. When
/// <see cref="SessionWindowBatch{TKey, TValue}.ObserveOnly"/> is set (the runtime runs the loop again after it threw),
/// the loop stops after reporting each event time.
/// </remarks>
/// <typeparam name="TIn">The records of the input stream (before <c>WithEventTime</c> and the narrow operators).</typeparam>
/// <typeparam name="TKey">The key of the sessions.</typeparam>
/// <typeparam name="TValue">The values the sessions reduce.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface ISessionWindowStage<TIn, TKey, TValue>
    where TKey : notnull
{
    /// <summary>Runs the fused loop over <paramref name="input"/>, writing into <paramref name="batch"/>.</summary>
    /// <param name="input">The input batch (read-only; valid for the duration of the call; empty when the input has no batch).</param>
    /// <param name="batch">The batch's view of the open sessions, with the watermark in force before this batch.</param>
    void Process(Batch<TIn> input, SessionWindowBatch<TKey, TValue> batch);

    /// <summary>Combines two values of one key's sessions being merged (the user's reducer, inlined).</summary>
    /// <param name="earlier">The value of the session (or record) that starts first.</param>
    /// <param name="later">The value of the session (or record) that starts after it.</param>
    /// <returns>The combined value; neither argument may be changed in place.</returns>
    TValue Reduce(TValue earlier, TValue later);
}
