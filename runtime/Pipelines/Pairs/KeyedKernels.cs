using System.Runtime.InteropServices;
using Pipelines.Partitioning;

namespace Pipelines.Operators;

/// <summary>
/// The interpreted (reference) loops of the keyed operators. Shuffles combine per input partition, send the
/// partial results to <c>numPartitions</c> output partitions by key hash and reduce each output partition
/// (<see cref="HashShuffle"/>); an output partition lists its keys in the order they were first seen. With one
/// output partition that is the batch's first-seen order; otherwise compare keyed results as multisets.
/// </summary>
internal static class KeyedKernels
{
    public static Batch<(T, long)> CountByValue<T>(Batch<T> batch, int numPartitions = 1, int parallelism = 1)
        where T : notnull =>
        HashShuffle.CombineByKey<T, T, long, (T, long)>(
            batch, static item => item, static _ => 1L, static (count, _) => count + 1, static (a, b) => a + b, static (key, count) => (key, count), numPartitions, parallelism);

    public static Batch<(TKey, TValue)> ReduceByKey<TKey, TValue>(
        Batch<(TKey Key, TValue Value)> batch, Func<TValue, TValue, TValue> reducer, int numPartitions = 1, int parallelism = 1)
        where TKey : notnull =>
        HashShuffle.CombineByKey<(TKey Key, TValue Value), TKey, TValue, (TKey, TValue)>(
            batch, static pair => pair.Key, static pair => pair.Value, (total, pair) => reducer(total, pair.Value), reducer, static (key, total) => (key, total), numPartitions, parallelism);

    public static Batch<(TKey, IReadOnlyList<TValue>)> GroupByKey<TKey, TValue>(Batch<(TKey Key, TValue Value)> batch, int numPartitions = 1, int parallelism = 1)
        where TKey : notnull =>
        HashShuffle.CombineByKey<(TKey Key, TValue Value), TKey, List<TValue>, (TKey, IReadOnlyList<TValue>)>(
            batch,
            static pair => pair.Key,
            static pair => [pair.Value],
            static (group, pair) =>
            {
                group.Add(pair.Value);
                return group;
            },
            static (first, second) =>
            {
                first.AddRange(second);
                return first;
            },
            static (key, group) => (key, group),
            numPartitions,
            parallelism);

    /// <summary>Spark's combineByKey: combine within each partition, then merge the partitions' combiners.</summary>
    public static Batch<(TKey, TCombiner)> CombineByKey<TKey, TValue, TCombiner>(
        Batch<(TKey Key, TValue Value)> batch,
        Func<TValue, TCombiner> createCombiner,
        Func<TCombiner, TValue, TCombiner> mergeValue,
        Func<TCombiner, TCombiner, TCombiner> mergeCombiners,
        int numPartitions = 1,
        int parallelism = 1)
        where TKey : notnull =>
        HashShuffle.CombineByKey<(TKey Key, TValue Value), TKey, TCombiner, (TKey, TCombiner)>(
            batch,
            static pair => pair.Key,
            pair => createCombiner(pair.Value),
            (combiner, pair) => mergeValue(combiner, pair.Value),
            mergeCombiners,
            static (key, combiner) => (key, combiner),
            numPartitions,
            parallelism);

    public static Batch<(TKey, TResult)> MapValues<TKey, TValue, TResult>(Batch<(TKey Key, TValue Value)> batch, Func<TValue, TResult> mapper, int parallelism = 1) =>
        NarrowKernels.Map(batch, pair => (pair.Key, mapper(pair.Value)), parallelism);

    public static Batch<(TKey, TResult)> FlatMapValues<TKey, TValue, TResult>(Batch<(TKey Key, TValue Value)> batch, Func<TValue, IEnumerable<TResult>> mapper, int parallelism = 1) =>
        NarrowKernels.FlatMap(batch, pair => FlatMapValue(pair.Key, pair.Value, mapper), parallelism);

    /// <summary>Groups both sides by key: keys first seen on the left come first, then right-only keys.</summary>
    public static Dictionary<TKey, (List<TLeft> Left, List<TRight> Right)> CoGroupLists<TKey, TLeft, TRight>(
        ReadOnlySpan<(TKey Key, TLeft Value)> left, ReadOnlySpan<(TKey Key, TRight Value)> right)
        where TKey : notnull
    {
        var groups = new Dictionary<TKey, (List<TLeft>, List<TRight>)>();
        foreach (var (key, value) in left)
        {
            ref var group = ref CollectionsMarshal.GetValueRefOrAddDefault(groups, key, out var exists);
            if (!exists)
            {
                group = ([], []);
            }

            group.Item1.Add(value);
        }

        foreach (var (key, value) in right)
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
        Batch<(TKey Key, TLeft Value)> left, Batch<(TKey Key, TRight Value)> right, int numPartitions = 1, int parallelism = 1)
        where TKey : notnull =>
        HashShuffle.Join<TKey, TLeft, TRight, (TKey, (IReadOnlyList<TLeft>, IReadOnlyList<TRight>))>(
            left,
            right,
            static (lefts, rights, output) =>
            {
                foreach (var (key, (l, r)) in CoGroupLists(lefts, rights))
                {
                    output.Add((key, (l, r)));
                }
            },
            numPartitions,
            parallelism);

    /// <summary>Every pairing of a key's values; a side with no values pairs as None when that side is outer.</summary>
    public static Batch<(TKey, (Optional<TLeft>, Optional<TRight>))> OuterJoin<TKey, TLeft, TRight>(
        Batch<(TKey Key, TLeft Value)> left, Batch<(TKey Key, TRight Value)> right, bool leftOuter, bool rightOuter, int numPartitions = 1, int parallelism = 1)
        where TKey : notnull =>
        HashShuffle.Join<TKey, TLeft, TRight, (TKey, (Optional<TLeft>, Optional<TRight>))>(
            left, right, (lefts, rights, output) => OuterJoinPartition(lefts, rights, leftOuter, rightOuter, output), numPartitions, parallelism);

    public static Batch<(TKey, (TLeft, TRight))> Join<TKey, TLeft, TRight>(
        Batch<(TKey Key, TLeft Value)> left, Batch<(TKey Key, TRight Value)> right, int numPartitions = 1, int parallelism = 1)
        where TKey : notnull =>
        HashShuffle.Join<TKey, TLeft, TRight, (TKey, (TLeft, TRight))>(left, right, JoinPartition, numPartitions, parallelism);

    private static void OuterJoinPartition<TKey, TLeft, TRight>(
        ReadOnlySpan<(TKey Key, TLeft Value)> left,
        ReadOnlySpan<(TKey Key, TRight Value)> right,
        bool leftOuter,
        bool rightOuter,
        BatchBuilder<(TKey, (Optional<TLeft>, Optional<TRight>))> builder)
        where TKey : notnull
    {
        foreach (var (key, (lefts, rights)) in CoGroupLists(left, right))
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
    }

    private static void JoinPartition<TKey, TLeft, TRight>(
        ReadOnlySpan<(TKey Key, TLeft Value)> left, ReadOnlySpan<(TKey Key, TRight Value)> right, BatchBuilder<(TKey, (TLeft, TRight))> builder)
        where TKey : notnull
    {
        var rightGroups = new Dictionary<TKey, List<TRight>>();
        foreach (var (key, value) in right)
        {
            ref var group = ref CollectionsMarshal.GetValueRefOrAddDefault(rightGroups, key, out _);
            (group ??= []).Add(value);
        }

        foreach (var (key, value) in left)
        {
            if (rightGroups.TryGetValue(key, out var matches))
            {
                foreach (var match in matches)
                {
                    builder.Add((key, (value, match)));
                }
            }
        }
    }

    private static IEnumerable<(TKey, TResult)> FlatMapValue<TKey, TValue, TResult>(TKey key, TValue value, Func<TValue, IEnumerable<TResult>> mapper)
    {
        var results = mapper(value) ?? throw new InvalidOperationException("The FlatMapValues function returned null; return an empty sequence instead.");
        foreach (var result in results)
        {
            yield return (key, result);
        }
    }
}
