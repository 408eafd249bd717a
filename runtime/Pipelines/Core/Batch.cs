using System.Buffers;
using System.Collections;

namespace Pipelines;

/// <summary>
/// The records of one batch of a <see cref="DStream{T}"/> (what Spark calls the batch's RDD): a read-only,
/// pooled buffer split into one or more partitions.
/// </summary>
/// <remarks>
/// A batch is valid while the stream remembers it (at least during the output operation that receives it).
/// Copy the records (<see cref="ToArray"/>) to keep them longer: the buffer returns to its pool when the
/// stream forgets the batch, and the batch object itself may then be reused for a later batch of the same stream.
/// </remarks>
/// <typeparam name="T">The type of the records.</typeparam>
public sealed class Batch<T> : IReadOnlyList<T>
{
    private static readonly int[] SinglePartition = [];

    private T[]? _items;
    private int _offset;
    private int _count;
    private int[] _partitionEnds;
    private readonly bool _pooled;

    // A batch of lines a receiver stored as pooled blocks: the strings (_items) are created on first use. A view of
    // one of its partitions points at the batch that owns the blocks (_lineOwner) and at its first partition.
    private Receivers.LineBlockSet? _lines;
    private Batch<T>? _lineOwner;
    private int _lineFirstPartition;

    /// <summary>Where this batch object goes back for reuse once its buffer is released (set by <see cref="BatchBuilder{T}"/>).</summary>
    private BatchRecycler<T>? _recycler;

    internal Batch(T[] items, int count, int[]? partitionEnds, bool pooled)
    {
        _items = items;
        _count = count;
        _partitionEnds = partitionEnds is { Length: > 1 } ? partitionEnds : SinglePartition;
        _pooled = pooled;
    }

    /// <summary>A batch of the lines held in <paramref name="lines"/>; it owns them and creates their strings on first use.</summary>
    internal Batch(Receivers.LineBlockSet lines)
    {
        _count = lines.Count;
        _partitionEnds = lines.PartitionLineEnds is { Length: > 1 } ends ? ends : SinglePartition;
        _pooled = true;
        _lines = lines;
    }

    /// <summary>An empty batch with one partition.</summary>
    public static Batch<T> Empty { get; } = new([], 0, null, pooled: false);

    /// <summary>Creates a batch of one partition holding a copy of <paramref name="records"/>.</summary>
    public static Batch<T> From(IEnumerable<T> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var items = records.ToArray();
        return new Batch<T>(items, items.Length, null, pooled: false);
    }

    /// <summary>Creates a batch of one partition holding a copy of <paramref name="records"/>.</summary>
    public static Batch<T> From(ReadOnlySpan<T> records) => new(records.ToArray(), records.Length, null, pooled: false);

    /// <summary>The number of records.</summary>
    public int Count => _count;

    /// <summary>The records, all partitions in order.</summary>
    public ReadOnlySpan<T> Span => new(Items, _offset, _count);

    /// <summary>The number of partitions (at least 1).</summary>
    public int PartitionCount => _partitionEnds.Length == 0 ? 1 : _partitionEnds.Length;

    /// <summary>The records of partition <paramref name="index"/>.</summary>
    public ReadOnlySpan<T> GetPartition(int index)
    {
        if (_partitionEnds.Length == 0)
        {
            ArgumentOutOfRangeException.ThrowIfNotEqual(index, 0);
            return Span;
        }

        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _partitionEnds.Length);
        var start = index == 0 ? 0 : _partitionEnds[index - 1];
        return new ReadOnlySpan<T>(Items, _offset + start, _partitionEnds[index] - start);
    }

    /// <summary>The record at <paramref name="index"/>.</summary>
    public T this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
            return Items[_offset + index];
        }
    }

    /// <summary>A copy of the records.</summary>
    public T[] ToArray() => Span.ToArray();

    /// <summary>Enumerates the records.</summary>
    public IEnumerator<T> GetEnumerator()
    {
        var items = Items;
        for (var i = 0; i < _count; i++)
        {
            yield return items[_offset + i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Partition <paramref name="index"/> as a read-only list that does not copy.</summary>
    internal IReadOnlyList<T> GetPartitionView(int index)
    {
        var span = GetPartition(index);
        var start = index == 0 || _partitionEnds.Length == 0 ? 0 : _partitionEnds[index - 1];
        return new PartitionView<T>(Items, _offset + start, span.Length);
    }

    /// <summary>
    /// This batch with every partition longer than <paramref name="maxRecords"/> cut into partitions of that size
    /// (records in order, the buffer shared); this batch itself when none is longer. The result takes over the
    /// buffer: release it, not this one.
    /// </summary>
    internal Batch<T> SplitPartitions(int maxRecords)
    {
        if (_lines is not null)
        {
            // Line blocks are cut into partitions as they are stored (at block boundaries); splitting them here would
            // create every string.
            return this;
        }

        var partitions = PartitionCount;
        var needed = 0;
        for (var p = 0; p < partitions; p++)
        {
            var length = GetPartition(p).Length;
            needed += length <= maxRecords ? 1 : (length + maxRecords - 1) / maxRecords;
        }

        if (needed == partitions)
        {
            return this;
        }

        var ends = new int[needed];
        var next = 0;
        var start = 0;
        for (var p = 0; p < partitions; p++)
        {
            var end = start + GetPartition(p).Length;
            for (var cut = start + maxRecords; cut < end; cut += maxRecords)
            {
                ends[next++] = cut;
            }

            ends[next++] = end;
            start = end;
        }

        var split = new Batch<T>(Items, _count, ends, _pooled);
        split._offset = _offset;
        return split;
    }

    /// <summary>
    /// A batch object that generated-stage runners reuse as a view (see <see cref="Rebind"/>): it shows records of
    /// another buffer and never owns them.
    /// </summary>
    internal static Batch<T> CreateView() => new([], 0, null, pooled: false);

    /// <summary>Points a view made by <see cref="CreateView"/> at other records.</summary>
    internal void Rebind(T[] items, int offset, int count, int[]? partitionEnds)
    {
        _items = items;
        _offset = offset;
        _count = count;
        _partitionEnds = partitionEnds is { Length: > 1 } ? partitionEnds : SinglePartition;
        _lines = null;
        _lineOwner = null;
        _lineFirstPartition = 0;
    }

    /// <summary>Points a view made by <see cref="CreateView"/> at partition <paramref name="index"/> of <paramref name="batch"/>.</summary>
    internal void RebindToPartition(Batch<T> batch, int index)
    {
        var start = index == 0 || batch._partitionEnds.Length == 0 ? 0 : batch._partitionEnds[index - 1];
        var length = batch._partitionEnds.Length == 0 ? batch._count : batch._partitionEnds[index] - start;
        if (batch._lines is { } lines)
        {
            // Keep the blocks (the compiled stage reads them); the strings stay uncreated until a reader asks.
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)batch.PartitionCount, nameof(index));
            _items = null;
            _offset = 0;
            _count = length;
            _partitionEnds = SinglePartition;
            _lines = lines;
            _lineOwner = batch._lineOwner ?? batch;
            _lineFirstPartition = batch._lineFirstPartition + index;
            return;
        }

        Rebind(batch.Items, batch._offset + start, batch.GetPartition(index).Length, null);
    }

    /// <summary>The batch's line blocks, when a receiver stored its records as blocks (see <see cref="Compilation.TextLineBlocks"/>).</summary>
    internal bool TryGetLineBlocks(out Compilation.TextLineBlocks blocks)
    {
        if (_lines is { } lines)
        {
            blocks = new Compilation.TextLineBlocks(lines, _lineFirstPartition, PartitionCount);
            return true;
        }

        blocks = default;
        return false;
    }

    /// <summary>The records; for a batch of line blocks, created (once) on first use.</summary>
    private T[] Items => Volatile.Read(ref _items) ?? CreateItems();

    private T[] CreateItems()
    {
        if (_lineOwner is { } owner)
        {
            // A view of one partition of a batch of blocks: that batch creates the strings, the view shows its part.
            var items = owner.Items;
            var ends = owner._partitionEnds;
            _offset = owner._offset + (_lineFirstPartition == 0 || ends.Length == 0 ? 0 : ends[_lineFirstPartition - 1]);
            _items = items;
            return items;
        }

        var lines = _lines ?? throw new InvalidOperationException("The batch has no records.");
        lock (lines)
        {
            if (_items is { } created)
            {
                return created;
            }

            var strings = _count == 0 ? [] : System.Buffers.ArrayPool<string>.Shared.Rent(_count);
            lines.CopyStringsTo(strings.AsSpan(0, _count));
            var records = (T[])(object)strings;
            Volatile.Write(ref _items, records);
            return records;
        }
    }

    internal int[]? PartitionEnds => _partitionEnds.Length == 0 ? null : _partitionEnds;

    /// <summary>A pooled batch that returns to <paramref name="recycler"/> when released.</summary>
    internal static Batch<T> CreateRecyclable(T[] items, int count, int[]? partitionEnds, BatchRecycler<T> recycler) =>
        new(items, count, partitionEnds, pooled: true) { _recycler = recycler };

    /// <summary>Points a batch taken from its recycler at a new buffer (it owns it, as a new batch would).</summary>
    /// <param name="items">The buffer.</param>
    /// <param name="count">The records in it.</param>
    /// <param name="partitionEnds">The partition ends; <c>null</c> for one partition. Copied into the batch's own array when the lengths match.</param>
    internal void Reuse(T[] items, int count, List<int>? partitionEnds)
    {
        _offset = 0;
        _count = count;
        if (partitionEnds is not { Count: > 1 })
        {
            _partitionEnds = SinglePartition;
        }
        else
        {
            if (_partitionEnds.Length != partitionEnds.Count)
            {
                _partitionEnds = new int[partitionEnds.Count];
            }

            partitionEnds.CopyTo(_partitionEnds);
        }

        Volatile.Write(ref _items, items);
    }

    /// <summary>Returns the buffer to its pool. Only the stream that created the batch calls this.</summary>
    internal void Release()
    {
        if (!_pooled)
        {
            return;
        }

        T[]? items;
        if (_lines is { } lines)
        {
            // A batch of line blocks (never recycled: it has no recycler): its blocks, and its strings if created.
            lock (lines)
            {
                items = _items;
                _items = [];
            }

            lines.Release();
        }
        else
        {
            items = Interlocked.Exchange(ref _items, []);
        }

        if (items is null || items.Length == 0)
        {
            return; // released already, or no strings were created
        }

        if (_recycler is { } recycler)
        {
            // The batch object and its buffer go back to the stream's builder (only on the first release: a second
            // one finds no buffer and recycles nothing).
            if (System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<T>())
            {
                Array.Clear(items, 0, Math.Min(items.Length, _offset + _count));
            }

            recycler.Return(this, items);
        }
        else
        {
            ArrayPool<T>.Shared.Return(items, clearArray: System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        }
    }
}

/// <summary>
/// Batch objects of one stream that were released, and their buffers, kept for that stream's next batches: with it, a
/// stream that builds a batch per batch time (a generated stage's output) allocates nothing once warm, and does not go
/// through the shared array pool (which may drop buffers) either.
/// </summary>
/// <typeparam name="T">The type of the records.</typeparam>
internal sealed class BatchRecycler<T>
{
    private const int Capacity = 4;
    private readonly Batch<T>?[] _batches = new Batch<T>?[Capacity];
    private readonly T[]?[] _buffers = new T[]?[Capacity];
    private int _batchCount;
    private int _bufferCount;

    /// <summary>A released batch object, or <c>null</c> when none is free.</summary>
    public Batch<T>? TryTake()
    {
        lock (_batches)
        {
            if (_batchCount == 0)
            {
                return null;
            }

            var batch = _batches[--_batchCount];
            _batches[_batchCount] = null;
            return batch;
        }
    }

    /// <summary>A released buffer of at least <paramref name="minimum"/> records, or <c>null</c>.</summary>
    public T[]? TryTakeBuffer(int minimum)
    {
        T[]? buffer;
        lock (_batches)
        {
            if (_bufferCount == 0)
            {
                return null;
            }

            buffer = _buffers[--_bufferCount];
            _buffers[_bufferCount] = null;
        }

        if (buffer!.Length >= minimum)
        {
            return buffer;
        }

        ArrayPool<T>.Shared.Return(buffer); // too small for this batch: the builder rents a larger one
        return null;
    }

    /// <summary>Keeps a released batch object and its (cleared) buffer for reuse; what does not fit is dropped or pooled.</summary>
    public void Return(Batch<T> batch, T[] buffer)
    {
        var pooled = false;
        lock (_batches)
        {
            if (_batchCount < Capacity)
            {
                _batches[_batchCount++] = batch;
            }

            if (_bufferCount < Capacity)
            {
                _buffers[_bufferCount++] = buffer;
                pooled = true;
            }
        }

        if (!pooled)
        {
            ArrayPool<T>.Shared.Return(buffer);
        }
    }
}
