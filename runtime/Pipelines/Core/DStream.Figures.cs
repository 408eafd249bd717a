namespace Pipelines;

/// <summary>The figures a stream reports in <see cref="StreamingContext.DescribeStreams"/>.</summary>
internal interface IRememberedBatches
{
    /// <summary>The batches the stream remembers, their records and the partitions of the newest one.</summary>
    (int Batches, long Records, int? Partitions) RememberedFigures();
}

/// <summary>A stream that holds keyed state or window data between batches and describes it (read from any thread, without locks on the batch path).</summary>
internal interface IDescribedStream
{
    /// <summary>Adds this stream's kind and held data to <paramref name="description"/>.</summary>
    StreamDescription Describe(StreamDescription description);
}

/// <summary>What a stream remembers, for <see cref="StreamingContext.DescribeStreams"/>.</summary>
public abstract partial class DStream<T> : IRememberedBatches
{
    (int Batches, long Records, int? Partitions) IRememberedBatches.RememberedFigures()
    {
        var batches = 0;
        long records = 0;
        int? partitions = null;
        lock (_generated)
        {
            for (var i = 0; i < _generated.Count; i++)
            {
                var batch = _generated.BatchAt(i);
                batches++;
                if (batch is not null)
                {
                    records += batch.Count;
                    partitions = batch.PartitionCount;
                }
            }
        }

        return (batches, records, partitions);
    }
}

/// <summary>Shallow size estimates of hash tables, for <see cref="StreamDescription.EstimatedStateBytes"/>.</summary>
internal static class StateSizes
{
    /// <summary>
    /// The bytes a <c>Dictionary&lt;TKey, TValue&gt;</c> entry takes: its cached hash code and next index, the key,
    /// the value (a reference counts as one pointer) and its bucket.
    /// </summary>
    public static long EntryBytes<TKey, TValue>() =>
        sizeof(int) + sizeof(int) + System.Runtime.CompilerServices.Unsafe.SizeOf<TKey>() + System.Runtime.CompilerServices.Unsafe.SizeOf<TValue>() + sizeof(int);
}
