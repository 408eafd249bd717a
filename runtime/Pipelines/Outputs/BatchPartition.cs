namespace Pipelines;

/// <summary>
/// One partition of a batch, as <see cref="DStream{T}.ForEachBatch(Action{BatchPartition{T}})"/> hands it over (Spark's
/// <c>foreachRDD(rdd =&gt; rdd.foreachPartition(...))</c> idiom: set up one connection per partition, not per record).
/// Valid during the call only; copy the records to keep them.
/// </summary>
/// <typeparam name="T">The type of the records.</typeparam>
public sealed class BatchPartition<T>
{
    private readonly Batch<T> _batch;

    internal BatchPartition(Batch<T> batch, int index, BatchTime time)
    {
        _batch = batch;
        Index = index;
        Time = time;
    }

    /// <summary>The batch time (the same for every partition of a batch; a batch replayed after recovery has the same time).</summary>
    public BatchTime Time { get; }

    /// <summary>The partition's index in its batch, from 0.</summary>
    public int Index { get; }

    /// <summary>The number of partitions of the batch.</summary>
    public int PartitionCount => _batch.PartitionCount;

    /// <summary>The partition's records, in order.</summary>
    public ReadOnlySpan<T> Span => _batch.GetPartition(Index);

    /// <summary>The partition's records as a list that does not copy them.</summary>
    public IReadOnlyList<T> Records => _batch.GetPartitionView(Index);

    /// <summary>The number of records in the partition.</summary>
    public int Count => Span.Length;
}
