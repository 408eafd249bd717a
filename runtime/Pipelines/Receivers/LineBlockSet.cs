using Pipelines.Compilation;

namespace Pipelines.Receivers;

/// <summary>
/// The line blocks of one batch, partition by partition: what a <see cref="Batch{T}"/> of strings holds instead of
/// its strings until a reader needs them. Owned by that batch, which releases it with its buffer.
/// </summary>
internal sealed class LineBlockSet
{
    private readonly TextLineBlock[] _blocks;
    private readonly int[] _partitionBlockEnds;
    private int _released;

    public LineBlockSet(TextLineBlock[] blocks, int[] partitionBlockEnds, int[] partitionLineEnds)
    {
        _blocks = blocks;
        _partitionBlockEnds = partitionBlockEnds;
        PartitionLineEnds = partitionLineEnds;
        Count = partitionLineEnds.Length == 0 ? 0 : partitionLineEnds[^1];
    }

    /// <summary>The number of lines of all blocks.</summary>
    public int Count { get; }

    public int PartitionCount => Math.Max(_partitionBlockEnds.Length, 1);

    /// <summary>For each partition, the number of lines up to its end (the batch's partition ends).</summary>
    public int[] PartitionLineEnds { get; }

    public ReadOnlySpan<TextLineBlock> GetPartitionBlocks(int partition)
    {
        if (_partitionBlockEnds.Length == 0)
        {
            return [];
        }

        var start = partition == 0 ? 0 : _partitionBlockEnds[partition - 1];
        return new ReadOnlySpan<TextLineBlock>(_blocks, start, _partitionBlockEnds[partition] - start);
    }

    /// <summary>Writes every line, in order, as a new string into <paramref name="destination"/>.</summary>
    public void CopyStringsTo(Span<string> destination)
    {
        var next = 0;
        foreach (var block in _blocks)
        {
            block.CopyStringsTo(destination.Slice(next, block.LineCount));
            next += block.LineCount;
        }
    }

    /// <summary>Returns every block's buffers to their pools (once).</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        foreach (var block in _blocks)
        {
            block.Release();
        }
    }
}

/// <summary>
/// Collects the line blocks a receiver stores until a batch takes them, cutting partitions at block-interval cuts
/// and before a partition would exceed the most records per partition (at block boundaries).
/// </summary>
internal sealed class LineBlockSetBuilder(int maxPartitionLines)
{
    private readonly List<TextLineBlock> _blocks = [];
    private readonly List<int> _partitionBlockEnds = [];
    private readonly List<int> _partitionLineEnds = [];
    private int _count;
    private int _partitionStart;

    public int Count => _count;

    public void Add(TextLineBlock block)
    {
        if (_count > _partitionStart && _count - _partitionStart + block.LineCount > maxPartitionLines)
        {
            EndPartition();
        }

        _blocks.Add(block);
        _count += block.LineCount;
    }

    /// <summary>Ends the current partition if it holds lines.</summary>
    public void EndPartition()
    {
        if (_count > _partitionStart)
        {
            _partitionBlockEnds.Add(_blocks.Count);
            _partitionLineEnds.Add(_count);
            _partitionStart = _count;
        }
    }

    /// <summary>The blocks collected so far, as one batch's set; the builder starts again empty.</summary>
    public LineBlockSet ToSet()
    {
        EndPartition();
        var set = new LineBlockSet([.. _blocks], [.. _partitionBlockEnds], [.. _partitionLineEnds]);
        _blocks.Clear();
        _partitionBlockEnds.Clear();
        _partitionLineEnds.Clear();
        _count = 0;
        _partitionStart = 0;
        return set;
    }

    /// <summary>Releases what no batch took (the stream stopped).</summary>
    public void ReleaseAll()
    {
        foreach (var block in _blocks)
        {
            block.Release();
        }

        _blocks.Clear();
        _partitionBlockEnds.Clear();
        _partitionLineEnds.Clear();
        _count = 0;
        _partitionStart = 0;
    }
}
