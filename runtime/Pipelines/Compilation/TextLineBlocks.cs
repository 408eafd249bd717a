using Pipelines.Receivers;

namespace Pipelines.Compilation;

/// <summary>
/// The lines of a batch of a <see cref="StreamingContext.SocketTextStream"/> as the receiver decoded them: pooled
/// <see cref="TextLineBlock"/>s, partition by partition, read as spans without a string per line. Generated stages use
/// it when their first operators consume spans (a word split, a count of words); any other reader of the same
/// batch (an interpreted operator, an output, the write-ahead log) sees the usual strings, created on first use.
/// </summary>
/// <remarks>
/// Only batches whose records are still held as blocks have them: a batch of another source, or one the receiver
/// stored as strings (with <see cref="CheckpointOptions.ReceiverWriteAheadLog"/>, which logs the exact records, or
/// under a rate limit), does not, and <see cref="TryGet"/> returns <c>false</c>: read the strings then. The blocks
/// are valid while the batch is: they return to their pool when the stream forgets the batch, also after a failed
/// batch.
/// </remarks>
/// <example>
/// <code>
/// if (TextLineBlocks.TryGet(batch, out var blocks))
/// {
///     for (var p = 0; p &lt; blocks.PartitionCount; p++)
///     {
///         foreach (var block in blocks.GetPartition(p))
///         {
///             for (var i = 0; i &lt; block.LineCount; i++)
///             {
///                 ReadOnlySpan&lt;char&gt; line = block.GetLine(i);
///                 // ...
///             }
///         }
///     }
/// }
/// </code>
/// </example>
public readonly struct TextLineBlocks
{
    private readonly LineBlockSet _set;
    private readonly int _firstPartition;
    private readonly int _partitionCount;

    internal TextLineBlocks(LineBlockSet set, int firstPartition, int partitionCount)
    {
        _set = set;
        _firstPartition = firstPartition;
        _partitionCount = partitionCount;
    }

    /// <summary>The number of partitions, the same as the batch's <see cref="Batch{T}.PartitionCount"/>.</summary>
    public int PartitionCount => _partitionCount;

    /// <summary>The blocks of partition <paramref name="index"/>, in order; their lines are the partition's records.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not a partition of the batch.</exception>
    public ReadOnlySpan<TextLineBlock> GetPartition(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_partitionCount, nameof(index));
        return _set.GetPartitionBlocks(_firstPartition + index);
    }

    /// <summary>
    /// Gets the line blocks of <paramref name="batch"/> when its records are still held as blocks; <c>false</c>
    /// otherwise (read <see cref="Batch{T}.GetPartition"/> then).
    /// </summary>
    /// <param name="batch">A batch of lines.</param>
    /// <param name="blocks">The batch's blocks, when the method returns <c>true</c>.</param>
    public static bool TryGet(Batch<string> batch, out TextLineBlocks blocks)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return batch.TryGetLineBlocks(out blocks);
    }
}
