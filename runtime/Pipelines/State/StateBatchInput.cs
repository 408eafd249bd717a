using System.Runtime.CompilerServices;
using Pipelines.Partitioning;

namespace Pipelines.Stateful;

/// <summary>
/// The (key, value) records of one batch of a keyed state stream, split by key hash into the state's partitions
/// (arrival order kept inside each partition). With one partition the records are read where they are (the
/// parent's batch, or the builder a fused compiled stage wrote into); otherwise they are copied once into
/// per-partition buffers reused from batch to batch.
/// </summary>
internal sealed class StateBatchInput<TKey, TValue>
    where TKey : notnull
{
    private static readonly bool HoldsReferences = RuntimeHelpers.IsReferenceOrContainsReferences<(TKey, TValue)>();

    private (TKey Key, TValue Value)[][] _buffers = [];
    private int[] _counts = [];
    private int[][] _indices = [];
    private Batch<(TKey Key, TValue Value)>? _batch;
    private BatchBuilder<(TKey Key, TValue Value)>? _builder;
    private int _partitions = 1;

    /// <summary>The number of records.</summary>
    public int Count { get; private set; }

    /// <summary>The records of <paramref name="partition"/>, in arrival order.</summary>
    public ReadOnlySpan<(TKey Key, TValue Value)> Partition(int partition)
    {
        if (_partitions == 1)
        {
            return _batch is { } batch ? batch.Span : _builder is { } builder ? builder.WrittenSpan : default;
        }

        return new ReadOnlySpan<(TKey, TValue)>(_buffers[partition], 0, _counts[partition]);
    }

    /// <summary>
    /// The position in the whole batch of each record of <paramref name="partition"/>; empty when the batch is one
    /// partition (a record's position is then its index).
    /// </summary>
    public ReadOnlySpan<int> Positions(int partition) =>
        _partitions == 1 ? default : new ReadOnlySpan<int>(_indices[partition], 0, _counts[partition]);

    /// <summary>Takes the records of <paramref name="batch"/>, split into <paramref name="partitions"/> partitions.</summary>
    public void Load(Batch<(TKey Key, TValue Value)> batch, int partitions)
    {
        Clear();
        _partitions = partitions;
        Count = batch.Count;
        if (partitions == 1)
        {
            _batch = batch;
            return;
        }

        Split(batch.Span, partitions);
    }

    /// <summary>Takes the records written into <paramref name="builder"/> (read in place with one partition; the caller resets it after the step).</summary>
    public void Load(BatchBuilder<(TKey Key, TValue Value)> builder, int partitions)
    {
        Clear();
        _partitions = partitions;
        Count = builder.Count;
        if (partitions == 1)
        {
            _builder = builder;
            return;
        }

        Split(builder.WrittenSpan, partitions);
    }

    /// <summary>Lets go of the batch's records.</summary>
    public void Clear()
    {
        _batch = null;
        _builder = null;
        if (_partitions > 1)
        {
            for (var p = 0; p < _partitions; p++)
            {
                if (HoldsReferences)
                {
                    Array.Clear(_buffers[p], 0, _counts[p]);
                }

                _counts[p] = 0;
            }
        }

        Count = 0;
    }

    private void Split(ReadOnlySpan<(TKey Key, TValue Value)> records, int partitions)
    {
        if (_buffers.Length < partitions)
        {
            var buffers = new (TKey, TValue)[partitions][];
            var indices = new int[partitions][];
            _buffers.CopyTo(buffers, 0);
            _indices.CopyTo(indices, 0);
            for (var p = _buffers.Length; p < partitions; p++)
            {
                buffers[p] = new (TKey, TValue)[16];
                indices[p] = new int[16];
            }

            _buffers = buffers;
            _indices = indices;
            _counts = new int[partitions];
        }

        for (var i = 0; i < records.Length; i++)
        {
            var record = records[i];
            var p = HashShuffle.PartitionOf(record.Key, partitions);
            ref var buffer = ref _buffers[p];
            ref var count = ref _counts[p];
            if (count == buffer.Length)
            {
                Array.Resize(ref buffer, count * 2);
                Array.Resize(ref _indices[p], count * 2);
            }

            _indices[p][count] = i;
            buffer[count++] = record;
        }
    }
}
