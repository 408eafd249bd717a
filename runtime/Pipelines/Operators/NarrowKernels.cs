namespace Pipelines.Operators;

/// <summary>
/// The interpreted (reference) loops of the narrow operators. Each keeps the batch's partitions: records
/// produced from partition p land in partition p of the result.
/// </summary>
internal static class NarrowKernels
{
    public static Batch<TOut> Map<TIn, TOut>(Batch<TIn> batch, Func<TIn, TOut> mapper)
    {
        var builder = new BatchBuilder<TOut>(batch.Count);
        for (var p = 0; p < batch.PartitionCount; p++)
        {
            foreach (var item in batch.GetPartition(p))
            {
                builder.Add(mapper(item));
            }

            EndPartition(batch, builder);
        }

        return builder.ToBatch();
    }

    public static Batch<TOut> FlatMap<TIn, TOut>(Batch<TIn> batch, Func<TIn, IEnumerable<TOut>> mapper)
    {
        var builder = new BatchBuilder<TOut>(batch.Count);
        for (var p = 0; p < batch.PartitionCount; p++)
        {
            foreach (var item in batch.GetPartition(p))
            {
                var results = mapper(item) ?? throw new InvalidOperationException("The FlatMap function returned null; return an empty sequence instead.");
                builder.AddRange(results);
            }

            EndPartition(batch, builder);
        }

        return builder.ToBatch();
    }

    public static Batch<T> Filter<T>(Batch<T> batch, Func<T, bool> predicate)
    {
        var builder = new BatchBuilder<T>(batch.Count);
        for (var p = 0; p < batch.PartitionCount; p++)
        {
            foreach (var item in batch.GetPartition(p))
            {
                if (predicate(item))
                {
                    builder.Add(item);
                }
            }

            EndPartition(batch, builder);
        }

        return builder.ToBatch();
    }

    public static Batch<TOut> MapBatch<TIn, TOut>(Batch<TIn> batch, Func<IEnumerable<TIn>, IEnumerable<TOut>> mapper)
    {
        var builder = new BatchBuilder<TOut>(batch.Count);
        for (var p = 0; p < batch.PartitionCount; p++)
        {
            var results = mapper(batch.GetPartitionView(p)) ?? throw new InvalidOperationException("The MapBatch function returned null; return an empty sequence instead.");
            builder.AddRange(results);
            EndPartition(batch, builder);
        }

        return builder.ToBatch();
    }

    public static Batch<T[]> Glom<T>(Batch<T> batch)
    {
        var builder = new BatchBuilder<T[]>(batch.PartitionCount);
        for (var p = 0; p < batch.PartitionCount; p++)
        {
            builder.Add(batch.GetPartition(p).ToArray());
            EndPartition(batch, builder);
        }

        return builder.ToBatch();
    }

    /// <summary>
    /// Spreads the records over <paramref name="partitions"/> partitions round-robin; records of input
    /// partition p start at output partition p mod n (Spark starts at a seeded random one).
    /// </summary>
    public static Batch<T> Repartition<T>(Batch<T> batch, int partitions)
    {
        var buckets = new List<T>[partitions];
        for (var i = 0; i < partitions; i++)
        {
            buckets[i] = [];
        }

        for (var p = 0; p < batch.PartitionCount; p++)
        {
            var target = p % partitions;
            foreach (var item in batch.GetPartition(p))
            {
                buckets[target].Add(item);
                target = target + 1 == partitions ? 0 : target + 1;
            }
        }

        var builder = new BatchBuilder<T>(batch.Count);
        foreach (var bucket in buckets)
        {
            builder.AddRange(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bucket));
            if (partitions > 1)
            {
                builder.EndPartition();
            }
        }

        return builder.ToBatch();
    }

    public static Batch<long> Count<T>(Batch<T> batch)
    {
        var builder = new BatchBuilder<long>(1);
        builder.Add(batch.Count);
        return builder.ToBatch();
    }

    public static Batch<T> Reduce<T>(Batch<T> batch, Func<T, T, T> reducer)
    {
        var builder = new BatchBuilder<T>(1);
        var records = batch.Span;
        if (records.Length > 0)
        {
            var accumulator = records[0];
            for (var i = 1; i < records.Length; i++)
            {
                accumulator = reducer(accumulator, records[i]);
            }

            builder.Add(accumulator);
        }

        return builder.ToBatch();
    }

    private static void EndPartition<TIn, TOut>(Batch<TIn> batch, BatchBuilder<TOut> builder)
    {
        if (batch.PartitionCount > 1)
        {
            builder.EndPartition();
        }
    }
}
