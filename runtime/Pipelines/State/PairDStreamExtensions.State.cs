using Pipelines.Stateful;

namespace Pipelines;

/// <summary>The stateful operations of streams of key-value pairs (Spark's <c>updateStateByKey</c> and <c>mapWithState</c>).</summary>
public static partial class PairDStreamExtensions
{
    /// <summary>
    /// A stream of every key's state, updated at each batch by <paramref name="update"/> (Spark's
    /// <c>updateStateByKey</c>). The function gets the key's new values of the batch (in arrival order; empty
    /// for a key that has a state but no new values, which is still called) and its state (None for a new
    /// key), and returns the new state, or None to remove the key.
    /// </summary>
    /// <remarks>
    /// A batch is atomic: if the function throws, the batch fails, the state stays as before it, and the next
    /// batch proceeds from that state (the failed batch's values are dropped). Treat states as immutable values
    /// (return a new state rather than changing the old one) so a failed batch cannot leave a half change.
    /// </remarks>
    /// <example>
    /// <code>
    /// var totals = pairs.UpdateStateByKey((IReadOnlyList&lt;int&gt; values, Optional&lt;int&gt; total) =>
    ///     Optional.Of(total.GetValueOrDefault(0) + values.Sum()));
    /// </code>
    /// </example>
    public static DStream<(TKey Key, TState State)> UpdateStateByKey<TKey, TValue, TState>(
        this DStream<(TKey Key, TValue Value)> stream, Func<IReadOnlyList<TValue>, Optional<TState>, Optional<TState>> update)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(update);
        return new StateDStream<TKey, TValue, TState>(stream, update, initialState: null);
    }

    /// <summary>
    /// <see cref="UpdateStateByKey{TKey, TValue, TState}(DStream{ValueTuple{TKey, TValue}}, Func{IReadOnlyList{TValue}, Optional{TState}, Optional{TState}})"/>
    /// with the state in <paramref name="numPartitions"/> partitions (Spark's <c>updateStateByKey(func, numPartitions)</c>;
    /// Spark's <c>HashPartitioner(n)</c> is <c>numPartitions: n</c>). The count is kept on the stream
    /// (<see cref="DStream.NumPartitions"/>) and takes effect where batches run in parallel partitions; the states are
    /// the same for any count.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numPartitions"/> is not positive.</exception>
    public static DStream<(TKey Key, TState State)> UpdateStateByKey<TKey, TValue, TState>(
        this DStream<(TKey Key, TValue Value)> stream, Func<IReadOnlyList<TValue>, Optional<TState>, Optional<TState>> update, int numPartitions)
        where TKey : notnull
    {
        DStream.RequirePartitions(numPartitions, nameof(UpdateStateByKey));
        return DStream.WithNumPartitions(stream.UpdateStateByKey(update), numPartitions, nameof(UpdateStateByKey));
    }

    /// <summary>
    /// The form of <c>UpdateStateByKey</c> whose function also gets the batch time and the key, with the state in
    /// <paramref name="numPartitions"/> partitions (Spark's <c>updateStateByKey(func, partitioner, initialRDD)</c> with a
    /// <c>HashPartitioner(numPartitions)</c>), optionally starting from <paramref name="initialState"/>. The count is kept
    /// on the stream (<see cref="DStream.NumPartitions"/>) and takes effect where batches run in parallel partitions.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numPartitions"/> is not positive.</exception>
    /// <exception cref="ArgumentException">A key appears twice in <paramref name="initialState"/>.</exception>
    public static DStream<(TKey Key, TState State)> UpdateStateByKey<TKey, TValue, TState>(
        this DStream<(TKey Key, TValue Value)> stream,
        Func<BatchTime, TKey, IReadOnlyList<TValue>, Optional<TState>, Optional<TState>> update,
        int numPartitions,
        IEnumerable<(TKey Key, TState State)>? initialState = null)
        where TKey : notnull
    {
        DStream.RequirePartitions(numPartitions, nameof(UpdateStateByKey));
        return DStream.WithNumPartitions(stream.UpdateStateByKey(update, initialState), numPartitions, nameof(UpdateStateByKey));
    }

    /// <summary>
    /// The iterator form of <c>UpdateStateByKey</c> with the state in <paramref name="numPartitions"/> partitions
    /// (Spark's <c>updateStateByKey(func, partitioner, rememberPartitioner, initialRDD)</c> with a
    /// <c>HashPartitioner(numPartitions)</c>), optionally starting from <paramref name="initialState"/>. The count is kept
    /// on the stream (<see cref="DStream.NumPartitions"/>) and takes effect where batches run in parallel partitions.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numPartitions"/> is not positive.</exception>
    /// <exception cref="ArgumentException">A key appears twice in <paramref name="initialState"/>.</exception>
    public static DStream<(TKey Key, TState State)> UpdateStateByKey<TKey, TValue, TState>(
        this DStream<(TKey Key, TValue Value)> stream,
        Func<IEnumerable<(TKey Key, IReadOnlyList<TValue> Values, Optional<TState> State)>, IEnumerable<(TKey Key, TState State)>> update,
        int numPartitions,
        IEnumerable<(TKey Key, TState State)>? initialState = null)
        where TKey : notnull
    {
        DStream.RequirePartitions(numPartitions, nameof(UpdateStateByKey));
        return DStream.WithNumPartitions(stream.UpdateStateByKey(update, initialState), numPartitions, nameof(UpdateStateByKey));
    }

    /// <summary>
    /// <see cref="UpdateStateByKey{TKey, TValue, TState}(DStream{ValueTuple{TKey, TValue}}, Func{IReadOnlyList{TValue}, Optional{TState}, Optional{TState}})"/>
    /// starting from <paramref name="initialState"/> (Spark's <c>initialRDD</c>): at the first batch those keys
    /// are called with their initial state.
    /// </summary>
    /// <exception cref="ArgumentException">A key appears twice in <paramref name="initialState"/>.</exception>
    public static DStream<(TKey Key, TState State)> UpdateStateByKey<TKey, TValue, TState>(
        this DStream<(TKey Key, TValue Value)> stream,
        Func<IReadOnlyList<TValue>, Optional<TState>, Optional<TState>> update,
        IEnumerable<(TKey Key, TState State)> initialState)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(update);
        var initial = InitialStates.Materialize(initialState, nameof(initialState));
        return new StateDStream<TKey, TValue, TState>(stream, update, initial);
    }

    /// <summary>
    /// The form of <c>UpdateStateByKey</c> whose function also gets the batch time and the key (Spark's
    /// <c>updateStateByKey</c> with <c>(Time, K, Seq[V], Option[S]) =&gt; Option[S]</c>), optionally starting from
    /// <paramref name="initialState"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A key appears twice in <paramref name="initialState"/>.</exception>
    public static DStream<(TKey Key, TState State)> UpdateStateByKey<TKey, TValue, TState>(
        this DStream<(TKey Key, TValue Value)> stream,
        Func<BatchTime, TKey, IReadOnlyList<TValue>, Optional<TState>, Optional<TState>> update,
        IEnumerable<(TKey Key, TState State)>? initialState = null)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(update);
        var initial = initialState is null ? null : InitialStates.Materialize(initialState, nameof(initialState));
        return new StateDStream<TKey, TValue, TState>(stream, update, initial);
    }

    /// <summary>
    /// The form of <c>UpdateStateByKey</c> whose function updates all keys at once (Spark's iterator form): it
    /// gets every key that has a state or new values, with its new values and state, and returns the new
    /// state of each key to keep; keys it does not return are removed. Optionally starts from
    /// <paramref name="initialState"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A key appears twice in <paramref name="initialState"/>.</exception>
    public static DStream<(TKey Key, TState State)> UpdateStateByKey<TKey, TValue, TState>(
        this DStream<(TKey Key, TValue Value)> stream,
        Func<IEnumerable<(TKey Key, IReadOnlyList<TValue> Values, Optional<TState> State)>, IEnumerable<(TKey Key, TState State)>> update,
        IEnumerable<(TKey Key, TState State)>? initialState = null)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(update);
        var initial = initialState is null ? null : InitialStates.Materialize(initialState, nameof(initialState));
        return new BulkStateDStream<TKey, TValue, TState>(stream, update, initial);
    }

    /// <summary>
    /// Calls the mapping function of <paramref name="spec"/> for each record, in order, with the key's
    /// <see cref="State{TState}"/>, and emits what it returns (Spark's <c>mapWithState</c>). Unlike
    /// <c>UpdateStateByKey</c>, only keys with records in the batch are called, plus, with a
    /// <see cref="StateSpec{TKey, TValue, TState, TMapped}.Timeout"/>, the keys that just timed out.
    /// </summary>
    /// <remarks>
    /// A batch is atomic: if the function throws, the batch fails, every key's state stays as before it, and
    /// the next batch proceeds from that state.
    /// </remarks>
    /// <example>
    /// <code>
    /// var spec = StateSpec.Function((string word, Optional&lt;int&gt; one, State&lt;int&gt; state) =>
    /// {
    ///     var sum = one.GetValueOrDefault(0) + state.GetOption().GetValueOrDefault(0);
    ///     state.Update(sum);
    ///     return (word, sum);
    /// });
    /// var running = pairs.MapWithState(spec);
    /// running.StateSnapshots().Print();
    /// </code>
    /// </example>
    public static MapWithStateDStream<TKey, TValue, TState, TMapped> MapWithState<TKey, TValue, TState, TMapped>(
        this DStream<(TKey Key, TValue Value)> stream, StateSpec<TKey, TValue, TState, TMapped> spec)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(spec);
        var mapped = new MapWithStateDStream<TKey, TValue, TState, TMapped>(new MapWithStateCore<TKey, TValue, TState, TMapped>(stream, spec));
        return spec.PartitionCount is { } partitions ? DStream.WithNumPartitions(mapped, partitions, nameof(MapWithState)) : mapped;
    }
}
