namespace Pipelines.Stateful;

/// <summary>
/// A stream that carries data from one batch to the next (keyed state, an incremental window). This is the
/// contract the checkpoint writer uses: it finds these streams with <see cref="StatefulStreams.Find"/>, reads
/// their data with <see cref="Accept"/> and an <see cref="IStatefulStreamVisitor"/> (which gives typed access),
/// and writes it back the same way on recovery. The data is plain: keys, values, states and batch times,
/// never a delegate.
/// </summary>
/// <remarks>
/// Export and import run on the job thread between batches (or before the context starts): never while a
/// batch is computing.
/// </remarks>
internal interface IStatefulStream
{
    /// <summary>
    /// A key that names this stream across restarts of the same definition: the creation order of the stateful
    /// streams of a context and the operator, e.g. <c>1:UpdateStateByKey</c>.
    /// </summary>
    string StateKey { get; }

    /// <summary>The batch time the current data belongs to; <c>null</c> before the first batch.</summary>
    BatchTime? StateTime { get; }

    /// <summary>Calls the visitor's method for this stream's kind of data, with its types.</summary>
    void Accept(IStatefulStreamVisitor visitor);
}

/// <summary>Typed access to the data of an <see cref="IStatefulStream"/>.</summary>
internal interface IStatefulStreamVisitor
{
    /// <summary>A keyed state stream (<c>UpdateStateByKey</c>, <c>MapWithState</c>).</summary>
    void VisitKeyedState<TKey, TState>(IKeyedStateStream<TKey, TState> stream)
        where TKey : notnull;

    /// <summary>An incremental window (<c>ReduceByKeyAndWindow</c> with an inverse function, and what builds on it).</summary>
    void VisitReducedWindow<TKey, TValue>(IReducedWindowStream<TKey, TValue> stream)
        where TKey : notnull;
}

/// <summary>The state of an <c>UpdateStateByKey</c> or <c>MapWithState</c> stream.</summary>
internal interface IKeyedStateStream<TKey, TState> : IStatefulStream
    where TKey : notnull
{
    /// <summary>A copy of the current state.</summary>
    KeyedStateSnapshot<TKey, TState> ExportState();

    /// <summary>
    /// Replaces the state. The next batch after <see cref="KeyedStateSnapshot{TKey, TState}.Time"/> continues
    /// from it; a snapshot without a time is a state before the first batch (the initial state).
    /// </summary>
    void ImportState(KeyedStateSnapshot<TKey, TState> snapshot);
}

/// <summary>The data of an incremental window: the last window's result and the per-batch reductions it still covers.</summary>
internal interface IReducedWindowStream<TKey, TValue> : IStatefulStream
    where TKey : notnull
{
    /// <summary>A copy of the window's data.</summary>
    ReducedWindowSnapshot<TKey, TValue> ExportWindow();

    /// <summary>Replaces the window's data; the next window after <see cref="ReducedWindowSnapshot{TKey, TValue}.Time"/> continues from it.</summary>
    void ImportWindow(ReducedWindowSnapshot<TKey, TValue> snapshot);
}

/// <summary>The keyed state of a stream at a batch time.</summary>
/// <param name="Time">The batch whose processing produced this state; <c>null</c> before the first batch.</param>
/// <param name="Entries">Every key with its state.</param>
internal sealed record KeyedStateSnapshot<TKey, TState>(BatchTime? Time, IReadOnlyList<KeyedStateEntry<TKey, TState>> Entries);

/// <summary>One key's state.</summary>
/// <param name="Key">The key.</param>
/// <param name="State">Its state.</param>
/// <param name="LastUpdated">The batch that last updated (or, with a timeout, last saw) the key; timeouts count from it.</param>
internal readonly record struct KeyedStateEntry<TKey, TState>(TKey Key, TState State, BatchTime LastUpdated);

/// <summary>The data of an incremental window at a window time.</summary>
/// <param name="Time">The window time of <paramref name="Result"/>; <c>null</c> before the first window.</param>
/// <param name="Result">
/// The reduced value of every key the window holds, before the filter: keys the filter rejects stay while a
/// kept batch still has values for them, so later subtractions stay exact.
/// </param>
/// <param name="KeptBatches">Each parent batch in the window (time order) reduced by key: what later windows subtract.</param>
internal sealed record ReducedWindowSnapshot<TKey, TValue>(
    BatchTime? Time,
    IReadOnlyList<KeyValuePair<TKey, TValue>> Result,
    IReadOnlyList<ReducedWindowBatch<TKey, TValue>> KeptBatches);

/// <summary>One parent batch of an incremental window, reduced by key.</summary>
/// <param name="Time">The parent batch's time.</param>
/// <param name="Values">Each key of the batch with its values reduced.</param>
internal sealed record ReducedWindowBatch<TKey, TValue>(BatchTime Time, IReadOnlyList<KeyValuePair<TKey, TValue>> Values);
