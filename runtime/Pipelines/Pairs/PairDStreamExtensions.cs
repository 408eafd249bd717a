using Pipelines.Operators;

namespace Pipelines;

/// <summary>
/// The operators of streams of key-value pairs (Spark's <c>PairDStreamFunctions</c>). Keys compare with their
/// <see cref="object.Equals(object)"/> and <see cref="object.GetHashCode"/>, so key types need value equality
/// (records, tuples, strings, numbers); null keys are not allowed.
/// </summary>
public static partial class PairDStreamExtensions
{
    /// <summary>For each batch, the values of each key combined with <paramref name="reducer"/> (associative and commutative).</summary>
    /// <remarks>The result has <see cref="StreamingOptions.Parallelism"/> partitions, keys spread by hash.</remarks>
    public static DStream<(TKey Key, TValue Value)> ReduceByKey<TKey, TValue>(this DStream<(TKey Key, TValue Value)> stream, Func<TValue, TValue, TValue> reducer)
        where TKey : notnull =>
        ReduceByKey(stream, reducer, DefaultPartitions(stream));

    /// <summary>
    /// For each batch, the values of each key combined with <paramref name="reducer"/> (associative and commutative),
    /// in <paramref name="numPartitions"/> partitions: each key's result lands in the partition its hash picks.
    /// </summary>
    public static DStream<(TKey Key, TValue Value)> ReduceByKey<TKey, TValue>(this DStream<(TKey Key, TValue Value)> stream, Func<TValue, TValue, TValue> reducer, int numPartitions)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(reducer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numPartitions);
        var parallelism = stream.Context.Options.Parallelism;
        return new TransformedDStream<(TKey, TValue), (TKey, TValue)>(stream, nameof(ReduceByKey), (batch, _) => KeyedKernels.ReduceByKey(batch, reducer, numPartitions, parallelism));
    }

    /// <summary>For each batch, each key with all its values, in arrival order.</summary>
    public static DStream<(TKey Key, IReadOnlyList<TValue> Values)> GroupByKey<TKey, TValue>(this DStream<(TKey Key, TValue Value)> stream)
        where TKey : notnull =>
        GroupByKey(stream, DefaultPartitions(stream));

    /// <summary>For each batch, each key with all its values, in arrival order, in <paramref name="numPartitions"/> partitions by key hash.</summary>
    public static DStream<(TKey Key, IReadOnlyList<TValue> Values)> GroupByKey<TKey, TValue>(this DStream<(TKey Key, TValue Value)> stream, int numPartitions)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numPartitions);
        var parallelism = stream.Context.Options.Parallelism;
        return new TransformedDStream<(TKey, TValue), (TKey, IReadOnlyList<TValue>)>(stream, nameof(GroupByKey), (batch, _) => KeyedKernels.GroupByKey(batch, numPartitions, parallelism));
    }

    /// <summary>
    /// For each batch, each key's values combined into a <typeparamref name="TCombiner"/> (Spark's
    /// <c>combineByKey</c>): <paramref name="createCombiner"/> starts a combiner from a key's first value in a
    /// partition, <paramref name="mergeValue"/> adds the next values, <paramref name="mergeCombiners"/> joins the
    /// combiners of different partitions.
    /// </summary>
    public static DStream<(TKey Key, TCombiner Value)> CombineByKey<TKey, TValue, TCombiner>(
        this DStream<(TKey Key, TValue Value)> stream,
        Func<TValue, TCombiner> createCombiner,
        Func<TCombiner, TValue, TCombiner> mergeValue,
        Func<TCombiner, TCombiner, TCombiner> mergeCombiners)
        where TKey : notnull =>
        CombineByKey(stream, createCombiner, mergeValue, mergeCombiners, DefaultPartitions(stream));

    /// <summary>
    /// <see cref="CombineByKey{TKey, TValue, TCombiner}(DStream{ValueTuple{TKey, TValue}}, Func{TValue, TCombiner}, Func{TCombiner, TValue, TCombiner}, Func{TCombiner, TCombiner, TCombiner})"/>
    /// with the result in <paramref name="numPartitions"/> partitions by key hash.
    /// </summary>
    public static DStream<(TKey Key, TCombiner Value)> CombineByKey<TKey, TValue, TCombiner>(
        this DStream<(TKey Key, TValue Value)> stream,
        Func<TValue, TCombiner> createCombiner,
        Func<TCombiner, TValue, TCombiner> mergeValue,
        Func<TCombiner, TCombiner, TCombiner> mergeCombiners,
        int numPartitions)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(createCombiner);
        ArgumentNullException.ThrowIfNull(mergeValue);
        ArgumentNullException.ThrowIfNull(mergeCombiners);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numPartitions);
        var parallelism = stream.Context.Options.Parallelism;
        return new TransformedDStream<(TKey, TValue), (TKey, TCombiner)>(
            stream, nameof(CombineByKey), (batch, _) => KeyedKernels.CombineByKey(batch, createCombiner, mergeValue, mergeCombiners, numPartitions, parallelism));
    }

    /// <summary>Each pair with its value replaced by <paramref name="mapper"/> of it; the key is kept.</summary>
    public static DStream<(TKey Key, TResult Value)> MapValues<TKey, TValue, TResult>(this DStream<(TKey Key, TValue Value)> stream, Func<TValue, TResult> mapper)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(mapper);
        return new TransformedDStream<(TKey, TValue), (TKey, TResult)>(stream, nameof(MapValues), (batch, _) => KeyedKernels.MapValues(batch, mapper, stream.Context.Options.Parallelism));
    }

    /// <summary>For each pair, one pair with the same key per value that <paramref name="mapper"/> returns.</summary>
    public static DStream<(TKey Key, TResult Value)> FlatMapValues<TKey, TValue, TResult>(this DStream<(TKey Key, TValue Value)> stream, Func<TValue, IEnumerable<TResult>> mapper)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(mapper);
        return new TransformedDStream<(TKey, TValue), (TKey, TResult)>(stream, nameof(FlatMapValues), (batch, _) => KeyedKernels.FlatMapValues(batch, mapper, stream.Context.Options.Parallelism));
    }

    /// <summary>For each batch, every pairing of a key's values on both sides (inner join).</summary>
    public static DStream<(TKey Key, (TValue Left, TOther Right) Value)> Join<TKey, TValue, TOther>(
        this DStream<(TKey Key, TValue Value)> stream, DStream<(TKey Key, TOther Value)> other)
        where TKey : notnull =>
        Join(stream, other, DefaultPartitions(stream));

    /// <summary>For each batch, every pairing of a key's values on both sides (inner join), in <paramref name="numPartitions"/> partitions by key hash.</summary>
    public static DStream<(TKey Key, (TValue Left, TOther Right) Value)> Join<TKey, TValue, TOther>(
        this DStream<(TKey Key, TValue Value)> stream, DStream<(TKey Key, TOther Value)> other, int numPartitions)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numPartitions);
        var parallelism = stream.Context.Options.Parallelism;
        return new BinaryTransformedDStream<(TKey, TValue), (TKey, TOther), (TKey, (TValue, TOther))>(
            stream, other, nameof(Join), (left, right, _) => KeyedKernels.Join(left, right, numPartitions, parallelism));
    }

    /// <summary>The inner join plus each left value whose key has no right value, paired with None.</summary>
    public static DStream<(TKey Key, (TValue Left, Optional<TOther> Right) Value)> LeftOuterJoin<TKey, TValue, TOther>(
        this DStream<(TKey Key, TValue Value)> stream, DStream<(TKey Key, TOther Value)> other)
        where TKey : notnull =>
        LeftOuterJoin(stream, other, DefaultPartitions(stream));

    /// <summary>The left outer join, in <paramref name="numPartitions"/> partitions by key hash.</summary>
    public static DStream<(TKey Key, (TValue Left, Optional<TOther> Right) Value)> LeftOuterJoin<TKey, TValue, TOther>(
        this DStream<(TKey Key, TValue Value)> stream, DStream<(TKey Key, TOther Value)> other, int numPartitions)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numPartitions);
        var parallelism = stream.Context.Options.Parallelism;
        return new BinaryTransformedDStream<(TKey, TValue), (TKey, TOther), (TKey, (TValue, Optional<TOther>))>(
            stream, other, nameof(LeftOuterJoin), (left, right, _) => NarrowKernels.Map(KeyedKernels.OuterJoin(left, right, leftOuter: true, rightOuter: false, numPartitions, parallelism), static p => (p.Item1, (p.Item2.Item1.Value, p.Item2.Item2))));
    }

    /// <summary>The inner join plus each right value whose key has no left value, paired with None.</summary>
    public static DStream<(TKey Key, (Optional<TValue> Left, TOther Right) Value)> RightOuterJoin<TKey, TValue, TOther>(
        this DStream<(TKey Key, TValue Value)> stream, DStream<(TKey Key, TOther Value)> other)
        where TKey : notnull =>
        RightOuterJoin(stream, other, DefaultPartitions(stream));

    /// <summary>The right outer join, in <paramref name="numPartitions"/> partitions by key hash.</summary>
    public static DStream<(TKey Key, (Optional<TValue> Left, TOther Right) Value)> RightOuterJoin<TKey, TValue, TOther>(
        this DStream<(TKey Key, TValue Value)> stream, DStream<(TKey Key, TOther Value)> other, int numPartitions)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numPartitions);
        var parallelism = stream.Context.Options.Parallelism;
        return new BinaryTransformedDStream<(TKey, TValue), (TKey, TOther), (TKey, (Optional<TValue>, TOther))>(
            stream, other, nameof(RightOuterJoin), (left, right, _) => NarrowKernels.Map(KeyedKernels.OuterJoin(left, right, leftOuter: false, rightOuter: true, numPartitions, parallelism), static p => (p.Item1, (p.Item2.Item1, p.Item2.Item2.Value))));
    }

    /// <summary>The inner join plus every value, on either side, whose key has no value on the other side, paired with None.</summary>
    public static DStream<(TKey Key, (Optional<TValue> Left, Optional<TOther> Right) Value)> FullOuterJoin<TKey, TValue, TOther>(
        this DStream<(TKey Key, TValue Value)> stream, DStream<(TKey Key, TOther Value)> other)
        where TKey : notnull =>
        FullOuterJoin(stream, other, DefaultPartitions(stream));

    /// <summary>The full outer join, in <paramref name="numPartitions"/> partitions by key hash.</summary>
    public static DStream<(TKey Key, (Optional<TValue> Left, Optional<TOther> Right) Value)> FullOuterJoin<TKey, TValue, TOther>(
        this DStream<(TKey Key, TValue Value)> stream, DStream<(TKey Key, TOther Value)> other, int numPartitions)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numPartitions);
        var parallelism = stream.Context.Options.Parallelism;
        return new BinaryTransformedDStream<(TKey, TValue), (TKey, TOther), (TKey, (Optional<TValue>, Optional<TOther>))>(
            stream, other, nameof(FullOuterJoin), (left, right, _) => KeyedKernels.OuterJoin(left, right, leftOuter: true, rightOuter: true, numPartitions, parallelism));
    }

    /// <summary>For each batch, each key that appears on either side with its values from both sides.</summary>
    public static DStream<(TKey Key, (IReadOnlyList<TValue> Left, IReadOnlyList<TOther> Right) Value)> CoGroup<TKey, TValue, TOther>(
        this DStream<(TKey Key, TValue Value)> stream, DStream<(TKey Key, TOther Value)> other)
        where TKey : notnull =>
        CoGroup(stream, other, DefaultPartitions(stream));

    /// <summary>The co-group, in <paramref name="numPartitions"/> partitions by key hash.</summary>
    public static DStream<(TKey Key, (IReadOnlyList<TValue> Left, IReadOnlyList<TOther> Right) Value)> CoGroup<TKey, TValue, TOther>(
        this DStream<(TKey Key, TValue Value)> stream, DStream<(TKey Key, TOther Value)> other, int numPartitions)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numPartitions);
        var parallelism = stream.Context.Options.Parallelism;
        return new BinaryTransformedDStream<(TKey, TValue), (TKey, TOther), (TKey, (IReadOnlyList<TValue>, IReadOnlyList<TOther>))>(
            stream, other, nameof(CoGroup), (left, right, _) => KeyedKernels.CoGroup(left, right, numPartitions, parallelism));
    }

    /// <summary>The default number of partitions of a shuffle's output: the context's parallelism (Spark: the default parallelism).</summary>
    private static int DefaultPartitions(DStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return stream.Context.Options.Parallelism;
    }
}
