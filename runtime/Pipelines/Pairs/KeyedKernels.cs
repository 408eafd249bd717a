using System.Runtime.InteropServices;

namespace Pipelines.Operators;

/// <summary>
/// The interpreted (reference) loops of the keyed operators. Results list keys in the order they were
/// first seen (Spark's order is its hash partitioning; compare keyed results as multisets).
/// </summary>
internal static class KeyedKernels
{
    public static Batch<(T, long)> CountByValue<T>(Batch<T> batch)
        where T : notnull
    {
        var counts = new Dictionary<T, long>();
        foreach (var item in batch.Span)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(counts, item, out _)++;
        }

        return ToBatch(counts);
    }

    public static Batch<(TKey, TValue)> ReduceByKey<TKey, TValue>(Batch<(TKey Key, TValue Value)> batch, Func<TValue, TValue, TValue> reducer)
        where TKey : notnull
    {
        var totals = new Dictionary<TKey, TValue>();
        foreach (var (key, value) in batch.Span)
        {
            ref var total = ref CollectionsMarshal.GetValueRefOrAddDefault(totals, key, out var exists);
            total = exists ? reducer(total!, value) : value;
        }

        return ToBatch(totals);
    }

    public static Batch<(TKey, IReadOnlyList<TValue>)> GroupByKey<TKey, TValue>(Batch<(TKey Key, TValue Value)> batch)
        where TKey : notnull
    {
        var groups = new Dictionary<TKey, List<TValue>>();
        foreach (var (key, value) in batch.Span)
        {
            ref var group = ref CollectionsMarshal.GetValueRefOrAddDefault(groups, key, out _);
            (group ??= []).Add(value);
        }

        var builder = new BatchBuilder<(TKey, IReadOnlyList<TValue>)>(groups.Count);
        foreach (var (key, group) in groups)
        {
            builder.Add((key, group));
        }

        return builder.ToBatch();
    }

    /// <summary>Spark's combineByKey: combine within each partition, then merge the partitions' combiners.</summary>
    public static Batch<(TKey, TCombiner)> CombineByKey<TKey, TValue, TCombiner>(
        Batch<(TKey Key, TValue Value)> batch,
        Func<TValue, TCombiner> createCombiner,
        Func<TCombiner, TValue, TCombiner> mergeValue,
        Func<TCombiner, TCombiner, TCombiner> mergeCombiners)
        where TKey : notnull
    {
        var merged = new Dictionary<TKey, TCombiner>();
        var partial = new Dictionary<TKey, TCombiner>();
        for (var p = 0; p < batch.PartitionCount; p++)
        {
            partial.Clear();
            foreach (var (key, value) in batch.GetPartition(p))
            {
                ref var combiner = ref CollectionsMarshal.GetValueRefOrAddDefault(partial, key, out var exists);
                combiner = exists ? mergeValue(combiner!, value) : createCombiner(value);
            }

            foreach (var (key, combiner) in partial)
            {
                ref var total = ref CollectionsMarshal.GetValueRefOrAddDefault(merged, key, out var exists);
                total = exists ? mergeCombiners(total!, combiner) : combiner;
            }
        }

        return ToBatch(merged);
    }

    public static Batch<(TKey, TResult)> MapValues<TKey, TValue, TResult>(Batch<(TKey Key, TValue Value)> batch, Func<TValue, TResult> mapper) =>
        NarrowKernels.Map(batch, pair => (pair.Key, mapper(pair.Value)));

    public static Batch<(TKey, TResult)> FlatMapValues<TKey, TValue, TResult>(Batch<(TKey Key, TValue Value)> batch, Func<TValue, IEnumerable<TResult>> mapper) =>
        NarrowKernels.FlatMap(batch, pair => FlatMapValue(pair.Key, pair.Value, mapper));

    /// <summary>Groups both sides by key: keys first seen on the left come first, then right-only keys.</summary>
    public static Dictionary<TKey, (List<TLeft> Left, List<TRight> Right)> CoGroupLists<TKey, TLeft, TRight>(
        Batch<(TKey Key, TLeft Value)> left, Batch<(TKey Key, TRight Value)> right)
        where TKey : notnull
    {
        var groups = new Dictionary<TKey, (List<TLeft>, List<TRight>)>();
        foreach (var (key, value) in left.Span)
        {
            ref var group = ref CollectionsMarshal.GetValueRefOrAddDefault(groups, key, out var exists);
            if (!exists)
            {
                group = ([], []);
            }

            group.Item1.Add(value);
        }

        foreach (var (key, value) in right.Span)
        {
            ref var group = ref CollectionsMarshal.GetValueRefOrAddDefault(groups, key, out var exists);
            if (!exists)
            {
                group = ([], []);
            }

            group.Item2.Add(value);
        }

        return groups;
    }

    public static Batch<(TKey, (IReadOnlyList<TLeft>, IReadOnlyList<TRight>))> CoGroup<TKey, TLeft, TRight>(
        Batch<(TKey Key, TLeft Value)> left, Batch<(TKey Key, TRight Value)> right)
        where TKey : notnull
    {
        var groups = CoGroupLists(left, right);
        var builder = new BatchBuilder<(TKey, (IReadOnlyList<TLeft>, IReadOnlyList<TRight>))>(groups.Count);
        foreach (var (key, (lefts, rights)) in groups)
        {
            builder.Add((key, (lefts, rights)));
        }

        return builder.ToBatch();
    }

    /// <summary>Every pairing of a key's values; a side with no values pairs as None when that side is outer.</summary>
    public static Batch<(TKey, (Optional<TLeft>, Optional<TRight>))> OuterJoin<TKey, TLeft, TRight>(
        Batch<(TKey Key, TLeft Value)> left, Batch<(TKey Key, TRight Value)> right, bool leftOuter, bool rightOuter)
        where TKey : notnull
    {
        var groups = CoGroupLists(left, right);
        var builder = new BatchBuilder<(TKey, (Optional<TLeft>, Optional<TRight>))>();
        foreach (var (key, (lefts, rights)) in groups)
        {
            if (lefts.Count > 0 && rights.Count > 0)
            {
                foreach (var l in lefts)
                {
                    foreach (var r in rights)
                    {
                        builder.Add((key, (l, r)));
                    }
                }
            }
            else if (rights.Count == 0 && leftOuter)
            {
                foreach (var l in lefts)
                {
                    builder.Add((key, (l, Optional<TRight>.None)));
                }
            }
            else if (lefts.Count == 0 && rightOuter)
            {
                foreach (var r in rights)
                {
                    builder.Add((key, (Optional<TLeft>.None, r)));
                }
            }
        }

        return builder.ToBatch();
    }

    public static Batch<(TKey, (TLeft, TRight))> Join<TKey, TLeft, TRight>(
        Batch<(TKey Key, TLeft Value)> left, Batch<(TKey Key, TRight Value)> right)
        where TKey : notnull
    {
        var rightGroups = new Dictionary<TKey, List<TRight>>();
        foreach (var (key, value) in right.Span)
        {
            ref var group = ref CollectionsMarshal.GetValueRefOrAddDefault(rightGroups, key, out _);
            (group ??= []).Add(value);
        }

        var builder = new BatchBuilder<(TKey, (TLeft, TRight))>();
        foreach (var (key, value) in left.Span)
        {
            if (rightGroups.TryGetValue(key, out var matches))
            {
                foreach (var match in matches)
                {
                    builder.Add((key, (value, match)));
                }
            }
        }

        return builder.ToBatch();
    }

    private static IEnumerable<(TKey, TResult)> FlatMapValue<TKey, TValue, TResult>(TKey key, TValue value, Func<TValue, IEnumerable<TResult>> mapper)
    {
        var results = mapper(value) ?? throw new InvalidOperationException("The FlatMapValues function returned null; return an empty sequence instead.");
        foreach (var result in results)
        {
            yield return (key, result);
        }
    }

    private static Batch<(TKey, TValue)> ToBatch<TKey, TValue>(Dictionary<TKey, TValue> map)
        where TKey : notnull
    {
        var builder = new BatchBuilder<(TKey, TValue)>(map.Count);
        foreach (var (key, value) in map)
        {
            builder.Add((key, value));
        }

        return builder.ToBatch();
    }
}
