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
    public static DStream<(TKey Key, TValue Value)> ReduceByKey<TKey, TValue>(this DStream<(TKey Key, TValue Value)> stream, Func<TValue, TValue, TValue> reducer)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(reducer);
        return new TransformedDStream<(TKey, TValue), (TKey, TValue)>(stream, nameof(ReduceByKey), (batch, _) => KeyedKernels.ReduceByKey(batch, reducer));
    }

    /// <summary>For each batch, each key with all its values, in arrival order.</summary>
    public static DStream<(TKey Key, IReadOnlyList<TValue> Values)> GroupByKey<TKey, TValue>(this DStream<(TKey Key, TValue Value)> stream)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        return new TransformedDStream<(TKey, TValue), (TKey, IReadOnlyList<TValue>)>(stream, nameof(GroupByKey), static (batch, _) => KeyedKernels.GroupByKey(batch));
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
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(createCombiner);
        ArgumentNullException.ThrowIfNull(mergeValue);
        ArgumentNullException.ThrowIfNull(mergeCombiners);
        return new TransformedDStream<(TKey, TValue), (TKey, TCombiner)>(
            stream, nameof(CombineByKey), (batch, _) => KeyedKernels.CombineByKey(batch, createCombiner, mergeValue, mergeCombiners));
    }

    /// <summary>Each pair with its value replaced by <paramref name="mapper"/> of it; the key is kept.</summary>
    public static DStream<(TKey Key, TResult Value)> MapValues<TKey, TValue, TResult>(this DStream<(TKey Key, TValue Value)> stream, Func<TValue, TResult> mapper)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(mapper);
        return new TransformedDStream<(TKey, TValue), (TKey, TResult)>(stream, nameof(MapValues), (batch, _) => KeyedKernels.MapValues(batch, mapper));
    }

    /// <summary>For each pair, one pair with the same key per value that <paramref name="mapper"/> returns.</summary>
    public static DStream<(TKey Key, TResult Value)> FlatMapValues<TKey, TValue, TResult>(this DStream<(TKey Key, TValue Value)> stream, Func<TValue, IEnumerable<TResult>> mapper)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(mapper);
        return new TransformedDStream<(TKey, TValue), (TKey, TResult)>(stream, nameof(FlatMapValues), (batch, _) => KeyedKernels.FlatMapValues(batch, mapper));
    }

    /// <summary>For each batch, every pairing of a key's values on both sides (inner join).</summary>
    public static DStream<(TKey Key, (TValue Left, TOther Right) Value)> Join<TKey, TValue, TOther>(
        this DStream<(TKey Key, TValue Value)> stream, DStream<(TKey Key, TOther Value)> other)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        return new BinaryTransformedDStream<(TKey, TValue), (TKey, TOther), (TKey, (TValue, TOther))>(
            stream, other, nameof(Join), static (left, right, _) => KeyedKernels.Join(left, right));
    }

    /// <summary>The inner join plus each left value whose key has no right value, paired with None.</summary>
    public static DStream<(TKey Key, (TValue Left, Optional<TOther> Right) Value)> LeftOuterJoin<TKey, TValue, TOther>(
        this DStream<(TKey Key, TValue Value)> stream, DStream<(TKey Key, TOther Value)> other)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        return new BinaryTransformedDStream<(TKey, TValue), (TKey, TOther), (TKey, (TValue, Optional<TOther>))>(
            stream, other, nameof(LeftOuterJoin), static (left, right, _) => NarrowKernels.Map(KeyedKernels.OuterJoin(left, right, leftOuter: true, rightOuter: false), static p => (p.Item1, (p.Item2.Item1.Value, p.Item2.Item2))));
    }

    /// <summary>The inner join plus each right value whose key has no left value, paired with None.</summary>
    public static DStream<(TKey Key, (Optional<TValue> Left, TOther Right) Value)> RightOuterJoin<TKey, TValue, TOther>(
        this DStream<(TKey Key, TValue Value)> stream, DStream<(TKey Key, TOther Value)> other)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        return new BinaryTransformedDStream<(TKey, TValue), (TKey, TOther), (TKey, (Optional<TValue>, TOther))>(
            stream, other, nameof(RightOuterJoin), static (left, right, _) => NarrowKernels.Map(KeyedKernels.OuterJoin(left, right, leftOuter: false, rightOuter: true), static p => (p.Item1, (p.Item2.Item1, p.Item2.Item2.Value))));
    }

    /// <summary>The inner join plus every value, on either side, whose key has no value on the other side, paired with None.</summary>
    public static DStream<(TKey Key, (Optional<TValue> Left, Optional<TOther> Right) Value)> FullOuterJoin<TKey, TValue, TOther>(
        this DStream<(TKey Key, TValue Value)> stream, DStream<(TKey Key, TOther Value)> other)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        return new BinaryTransformedDStream<(TKey, TValue), (TKey, TOther), (TKey, (Optional<TValue>, Optional<TOther>))>(
            stream, other, nameof(FullOuterJoin), static (left, right, _) => KeyedKernels.OuterJoin(left, right, leftOuter: true, rightOuter: true));
    }

    /// <summary>For each batch, each key that appears on either side with its values from both sides.</summary>
    public static DStream<(TKey Key, (IReadOnlyList<TValue> Left, IReadOnlyList<TOther> Right) Value)> CoGroup<TKey, TValue, TOther>(
        this DStream<(TKey Key, TValue Value)> stream, DStream<(TKey Key, TOther Value)> other)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        return new BinaryTransformedDStream<(TKey, TValue), (TKey, TOther), (TKey, (IReadOnlyList<TValue>, IReadOnlyList<TOther>))>(
            stream, other, nameof(CoGroup), static (left, right, _) => KeyedKernels.CoGroup(left, right));
    }
}
