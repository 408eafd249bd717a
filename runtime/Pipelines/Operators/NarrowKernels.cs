using Pipelines.Partitioning;

namespace Pipelines.Operators;

/// <summary>
/// The interpreted (reference) loops of the narrow operators. Each keeps the batch's partitions: records
/// produced from partition p land in partition p of the result.
/// </summary>
internal static class NarrowKernels
{
    public static Batch<TOut> Map<TIn, TOut>(Batch<TIn> batch, Func<TIn, TOut> mapper, int parallelism = 1) =>
        PartitionWise<TIn, TOut>(batch, parallelism, (input, p, output) =>
        {
            foreach (var item in input.GetPartition(p))
            {
                output.Add(mapper(item));
            }
        });

    public static Batch<TOut> FlatMap<TIn, TOut>(Batch<TIn> batch, Func<TIn, IEnumerable<TOut>> mapper, int parallelism = 1) =>
        PartitionWise<TIn, TOut>(batch, parallelism, (input, p, output) =>
        {
            foreach (var item in input.GetPartition(p))
            {
                var results = mapper(item) ?? throw new InvalidOperationException("The FlatMap function returned null; return an empty sequence instead.");
                output.AddRange(results);
            }
        });

    public static Batch<T> Filter<T>(Batch<T> batch, Func<T, bool> predicate, int parallelism = 1) =>
        PartitionWise<T, T>(batch, parallelism, (input, p, output) =>
        {
            foreach (var item in input.GetPartition(p))
            {
                if (predicate(item))
                {
                    output.Add(item);
                }
            }
        });

    public static Batch<TOut> MapBatch<TIn, TOut>(Batch<TIn> batch, Func<IEnumerable<TIn>, IEnumerable<TOut>> mapper, int parallelism = 1) =>
        PartitionWise<TIn, TOut>(batch, parallelism, (input, p, output) =>
        {
            var results = mapper(input.GetPartitionView(p)) ?? throw new InvalidOperationException("The MapBatch function returned null; return an empty sequence instead.");
            output.AddRange(results);
        });

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
    /// Runs <paramref name="body"/> once per partition of <paramref name="batch"/>, up to <paramref name="parallelism"/>
    /// partitions at a time, each into its own builder; output partition p holds what partition p produced, in
    /// order. With one partition or a parallelism of 1 the partitions run in turn on the calling thread.
    /// </summary>
    public static Batch<TOut> PartitionWise<TIn, TOut>(Batch<TIn> batch, int parallelism, Action<Batch<TIn>, int, BatchBuilder<TOut>> body)
    {
        var partitions = batch.PartitionCount;
        parallelism = PartitionLoop.ParallelismFor(batch.Count, parallelism);
        if (parallelism <= 1 || partitions == 1)
        {
            var builder = new BatchBuilder<TOut>(batch.Count);
            for (var p = 0; p < partitions; p++)
            {
                body(batch, p, builder);
                EndPartition(batch, builder);
            }

            return builder.ToBatch();
        }

        var outputs = new BatchBuilder<TOut>[partitions];
        try
        {
            new PartitionLoop(p =>
            {
                var output = new BatchBuilder<TOut>(batch.GetPartition(p).Length);
                outputs[p] = output;
                body(batch, p, output);
            }).Run(partitions, parallelism);
            return Concat(outputs, partitioned: true);
        }
        finally
        {
            foreach (var output in outputs)
            {
                output?.ReleaseBuffer();
            }
        }
    }

    /// <summary>One batch of the builders' records, one partition per builder (one partition in all unless <paramref name="partitioned"/>).</summary>
    public static Batch<T> Concat<T>(BatchBuilder<T>[] parts, bool partitioned)
    {
        var total = 0;
        foreach (var part in parts)
        {
            total += part.Count;
        }

        var builder = new BatchBuilder<T>(total);
        foreach (var part in parts)
        {
            builder.AddRange(part.WrittenSpan);
            if (partitioned && parts.Length > 1)
            {
                builder.EndPartition();
            }
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
