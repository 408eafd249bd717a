namespace Pipelines;

/// <summary>Creates the <see cref="StateSpec{TKey, TValue, TState, TMapped}"/> of a <c>MapWithState</c> (Spark's <c>StateSpec.function</c>).</summary>
public static class StateSpec
{
    /// <summary>
    /// A spec whose mapping function gets each record's key and value (None on a timeout call) and the key's
    /// <see cref="State{TState}"/>, and returns the record to emit.
    /// </summary>
    /// <example>
    /// <code>
    /// var spec = StateSpec.Function((string word, Optional&lt;int&gt; one, State&lt;int&gt; state) =>
    /// {
    ///     var sum = one.GetValueOrDefault(0) + state.GetOption().GetValueOrDefault(0);
    ///     state.Update(sum);
    ///     return (word, sum);
    /// });
    /// var runningCounts = pairs.MapWithState(spec.Timeout(TimeSpan.FromMinutes(10)));
    /// </code>
    /// </example>
    public static StateSpec<TKey, TValue, TState, TMapped> Function<TKey, TValue, TState, TMapped>(
        Func<TKey, Optional<TValue>, State<TState>, TMapped> mappingFunction)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(mappingFunction);
        return new StateSpec<TKey, TValue, TState, TMapped>((_, key, value, state) => new Optional<TMapped>(mappingFunction(key, value, state)));
    }

    /// <summary>
    /// A spec whose mapping function also gets the batch time and may emit nothing (returns None), e.g. to emit
    /// only on timeouts.
    /// </summary>
    public static StateSpec<TKey, TValue, TState, TMapped> Function<TKey, TValue, TState, TMapped>(
        Func<BatchTime, TKey, Optional<TValue>, State<TState>, Optional<TMapped>> mappingFunction)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(mappingFunction);
        return new StateSpec<TKey, TValue, TState, TMapped>(mappingFunction);
    }
}

/// <summary>
/// What a <c>MapWithState</c> does (Spark's <c>StateSpec</c>): its mapping function and, optionally, an initial
/// state, a timeout for idle keys and a partition count. Each setting returns a new spec.
/// </summary>
/// <typeparam name="TKey">The type of the keys.</typeparam>
/// <typeparam name="TValue">The type of the values.</typeparam>
/// <typeparam name="TState">The type of each key's state.</typeparam>
/// <typeparam name="TMapped">The type of the records the function emits.</typeparam>
public sealed class StateSpec<TKey, TValue, TState, TMapped>
    where TKey : notnull
{
    internal StateSpec(Func<BatchTime, TKey, Optional<TValue>, State<TState>, Optional<TMapped>> mappingFunction) =>
        MappingFunction = mappingFunction;

    private StateSpec(StateSpec<TKey, TValue, TState, TMapped> other)
    {
        MappingFunction = other.MappingFunction;
        InitialStateEntries = other.InitialStateEntries;
        TimeoutDuration = other.TimeoutDuration;
        PartitionCount = other.PartitionCount;
    }

    internal Func<BatchTime, TKey, Optional<TValue>, State<TState>, Optional<TMapped>> MappingFunction { get; }

    internal (TKey Key, TState State)[]? InitialStateEntries { get; private init; }

    internal TimeSpan? TimeoutDuration { get; private init; }

    internal int? PartitionCount { get; private init; }

    /// <summary>The state the keys start with, before the first batch (Spark's <c>initialState</c>).</summary>
    /// <exception cref="ArgumentException">A key appears twice.</exception>
    public StateSpec<TKey, TValue, TState, TMapped> InitialState(IEnumerable<(TKey Key, TState State)> initialState) =>
        new(this) { InitialStateEntries = Stateful.InitialStates.Materialize(initialState, nameof(initialState)) };

    /// <summary>
    /// Removes the state of keys that received no record for <paramref name="idleDuration"/>, measured in batch
    /// time: a key last seen at batch u times out at the first batch t with u &lt; t - idleDuration. Its mapping
    /// function is called one last time with no value and <see cref="State{TState}.IsTimingOut"/> true.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The duration is not positive or not whole milliseconds.</exception>
    public StateSpec<TKey, TValue, TState, TMapped> Timeout(TimeSpan idleDuration)
    {
        Durations.RequirePositiveMilliseconds(idleDuration, nameof(idleDuration), "MapWithState timeout");
        return new(this) { TimeoutDuration = idleDuration };
    }

    /// <summary>
    /// The number of partitions of the state (Spark's <c>StateSpec.numPartitions</c>; Spark's
    /// <c>partitioner(new HashPartitioner(n))</c> is <c>NumPartitions(n)</c>). <c>MapWithState</c> keeps it on its stream
    /// (<see cref="DStream.NumPartitions"/>); it takes effect where batches run in parallel partitions, and the mapped
    /// records and states are the same for any count.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The count is not positive.</exception>
    public StateSpec<TKey, TValue, TState, TMapped> NumPartitions(int numPartitions)
    {
        DStream.RequirePartitions(numPartitions, "StateSpec.NumPartitions");
        return new(this) { PartitionCount = numPartitions };
    }
}
