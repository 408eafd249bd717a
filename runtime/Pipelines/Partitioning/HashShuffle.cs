using System.Runtime.InteropServices;
using Pipelines.Operators;

namespace Pipelines.Partitioning;

/// <summary>Joins the records of one output partition of both sides of a join (records in arrival order).</summary>
internal delegate void JoinPartition<TKey, TLeft, TRight, TOut>(
    ReadOnlySpan<(TKey Key, TLeft Value)> left, ReadOnlySpan<(TKey Key, TRight Value)> right, BatchBuilder<TOut> output);

/// <summary>
/// Spark's shuffle inside one process: a map side per input partition (combine records by key into a
/// partition-local table, then split the partial results by key hash), and a reduce side per output partition
/// (merge what every input partition sent to it, in input-partition order). Both sides run up to the context's
/// parallelism partitions at a time; every key lands in exactly one output partition.
/// </summary>
internal static class HashShuffle
{
    /// <summary>
    /// The output partition of <paramref name="key"/> among <paramref name="partitions"/> (Spark's HashPartitioner).
    /// A string key is hashed with a fixed function (FNV-1a over its UTF-16 code units) rather than
    /// <see cref="string.GetHashCode()"/>, which .NET randomizes per process: the same keys land in the same
    /// partitions, so a batch's output order after a shuffle is the same in every run.
    /// </summary>
    public static int PartitionOf<TKey>(TKey key, int partitions)
        where TKey : notnull
    {
        if (partitions == 1)
        {
            return 0;
        }

        var hash = key is string text ? StableHash(text) : key.GetHashCode();
        return (int)((uint)hash % (uint)partitions);
    }

    /// <summary>FNV-1a over the string's UTF-16 code units: the same value in every process.</summary>
    internal static int StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)hash;
    }

    /// <summary>
    /// Combines the records of each key: <paramref name="create"/> and <paramref name="mergeValue"/> within an input
    /// partition, <paramref name="mergeCombiners"/> across input partitions, <paramref name="result"/> for each key of
    /// each output partition (keys of one output partition in first-seen order).
    /// </summary>
    public static Batch<TOut> CombineByKey<TIn, TKey, TCombiner, TOut>(
        Batch<TIn> batch,
        Func<TIn, TKey> keyOf,
        Func<TIn, TCombiner> create,
        Func<TCombiner, TIn, TCombiner> mergeValue,
        Func<TCombiner, TCombiner, TCombiner> mergeCombiners,
        Func<TKey, TCombiner, TOut> result,
        int numPartitions,
        int parallelism)
        where TKey : notnull
    {
        parallelism = PartitionLoop.ParallelismFor(batch.Count, parallelism);
        var inputs = batch.PartitionCount;
        var sent = new List<(TKey Key, TCombiner Value)>?[inputs][];
        new PartitionLoop(p =>
        {
            var local = new Dictionary<TKey, TCombiner>();
            foreach (var item in batch.GetPartition(p))
            {
                ref var combiner = ref CollectionsMarshal.GetValueRefOrAddDefault(local, keyOf(item), out var exists);
                combiner = exists ? mergeValue(combiner!, item) : create(item);
            }

            var buckets = new List<(TKey, TCombiner)>?[numPartitions];
            foreach (var (key, combiner) in local)
            {
                (buckets[PartitionOf(key, numPartitions)] ??= []).Add((key, combiner));
            }

            sent[p] = buckets;
        }).Run(inputs, parallelism);

        return ReduceSide<TOut>(numPartitions, parallelism, (h, output) =>
        {
            var merged = new Dictionary<TKey, TCombiner>();
            for (var p = 0; p < inputs; p++)
            {
                if (sent[p][h] is not { } bucket)
                {
                    continue;
                }

                foreach (var (key, combiner) in bucket)
                {
                    ref var total = ref CollectionsMarshal.GetValueRefOrAddDefault(merged, key, out var exists);
                    total = exists ? mergeCombiners(total!, combiner) : combiner;
                }
            }

            output.EnsureCapacity(merged.Count);
            foreach (var (key, combiner) in merged)
            {
                output.Add(result(key, combiner));
            }
        });
    }

    /// <summary>
    /// Sends every record of both sides to the output partition of its key, then runs <paramref name="join"/> once
    /// per output partition on that partition's records of each side (in arrival order).
    /// </summary>
    public static Batch<TOut> Join<TKey, TLeft, TRight, TOut>(
        Batch<(TKey Key, TLeft Value)> left,
        Batch<(TKey Key, TRight Value)> right,
        JoinPartition<TKey, TLeft, TRight, TOut> join,
        int numPartitions,
        int parallelism)
        where TKey : notnull
    {
        if (numPartitions == 1)
        {
            var output = new BatchBuilder<TOut>();
            join(left.Span, right.Span, output);
            return output.ToBatch();
        }

        parallelism = PartitionLoop.ParallelismFor(left.Count + right.Count, parallelism);
        var lefts = Send(left, numPartitions, parallelism);
        var rights = Send(right, numPartitions, parallelism);
        return ReduceSide<TOut>(numPartitions, parallelism, (h, output) =>
            join(CollectionsMarshal.AsSpan(Gather(lefts, h)), CollectionsMarshal.AsSpan(Gather(rights, h)), output));
    }

    private static List<(TKey Key, TValue Value)>[][] Send<TKey, TValue>(Batch<(TKey Key, TValue Value)> batch, int numPartitions, int parallelism)
        where TKey : notnull
    {
        var sent = new List<(TKey, TValue)>[batch.PartitionCount][];
        new PartitionLoop(p =>
        {
            var buckets = new List<(TKey, TValue)>[numPartitions];
            for (var h = 0; h < numPartitions; h++)
            {
                buckets[h] = [];
            }

            foreach (var record in batch.GetPartition(p))
            {
                buckets[PartitionOf(record.Key, numPartitions)].Add(record);
            }

            sent[p] = buckets;
        }).Run(batch.PartitionCount, parallelism);
        return sent;
    }

    private static List<(TKey Key, TValue Value)> Gather<TKey, TValue>(List<(TKey Key, TValue Value)>[][] sent, int h)
    {
        var all = new List<(TKey, TValue)>();
        foreach (var buckets in sent)
        {
            all.AddRange(buckets[h]);
        }

        return all;
    }

    /// <summary>Runs <paramref name="reduce"/> for each output partition into its own builder; one batch of them all.</summary>
    private static Batch<TOut> ReduceSide<TOut>(int numPartitions, int parallelism, Action<int, BatchBuilder<TOut>> reduce)
    {
        var outputs = new BatchBuilder<TOut>[numPartitions];
        try
        {
            new PartitionLoop(h =>
            {
                var output = new BatchBuilder<TOut>(0);
                outputs[h] = output;
                reduce(h, output);
            }).Run(numPartitions, parallelism);
            return NarrowKernels.Concat(outputs, partitioned: true);
        }
        finally
        {
            foreach (var output in outputs)
            {
                output?.ReleaseBuffer();
            }
        }
    }
}
