using System.Buffers;
using System.Runtime.CompilerServices;

namespace Pipelines;

/// <summary>
/// Collects the records of a new batch in a pooled, growing buffer. Operators and generated stages write
/// into it; <see cref="ToBatch"/> hands the buffer to the batch it creates.
/// </summary>
/// <typeparam name="T">The type of the records.</typeparam>
public sealed class BatchBuilder<T>
{
    private T[] _items;
    private int _count;
    private List<int>? _partitionEnds;
    private BatchRecycler<T>? _recycler;

    /// <summary>Creates a builder with room for <paramref name="capacity"/> records.</summary>
    public BatchBuilder(int capacity = 16)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _items = capacity == 0 ? [] : ArrayPool<T>.Shared.Rent(capacity);
    }

    /// <summary>The number of records added so far.</summary>
    public int Count => _count;

    /// <summary>Adds one record.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(T item)
    {
        var items = _items;
        var count = _count;
        if ((uint)count < (uint)items.Length)
        {
            items[count] = item;
            _count = count + 1;
        }
        else
        {
            AddWithResize(item);
        }
    }

    /// <summary>Adds records.</summary>
    public void AddRange(ReadOnlySpan<T> items)
    {
        EnsureCapacity(_count + items.Length);
        items.CopyTo(_items.AsSpan(_count));
        _count += items.Length;
    }

    /// <summary>Adds records.</summary>
    public void AddRange(IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);

        // Arrays and lists are copied as spans: no enumerator, no interface call per record.
        if (items is T[] array)
        {
            AddRange(new ReadOnlySpan<T>(array));
            return;
        }

        if (items is List<T> list)
        {
            AddRange(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list));
            return;
        }

        if (items is ICollection<T> collection)
        {
            EnsureCapacity(_count + collection.Count);
        }

        foreach (var item in items)
        {
            Add(item);
        }
    }

    /// <summary>Ends the current partition: records added after this go to the next one.</summary>
    public void EndPartition() => (_partitionEnds ??= []).Add(_count);

    /// <summary>Makes sure the buffer holds at least <paramref name="capacity"/> records without growing.</summary>
    public void EnsureCapacity(int capacity)
    {
        if (capacity > _items.Length)
        {
            Grow(capacity);
        }
    }

    /// <summary>
    /// Creates the batch and hands it the buffer; the builder starts again empty. When partitions were ended
    /// with <see cref="EndPartition"/>, records after the last end form the final partition.
    /// </summary>
    public Batch<T> ToBatch()
    {
        if (_recycler is { } recycler && _items.Length > 0)
        {
            if (_partitionEnds is { Count: > 0 } && _partitionEnds[^1] != _count)
            {
                _partitionEnds.Add(_count);
            }

            var partitionEnds = _partitionEnds is { Count: > 1 } ? _partitionEnds : null;
            Batch<T> recycled;
            if (recycler.TryTake() is { } reused)
            {
                reused.Reuse(_items, _count, partitionEnds);
                recycled = reused;
            }
            else
            {
                recycled = Batch<T>.CreateRecyclable(_items, _count, partitionEnds?.ToArray(), recycler);
            }

            _partitionEnds?.Clear();
            _items = [];
            _count = 0;
            return recycled;
        }

        int[]? ends = null;
        if (_partitionEnds is { Count: > 0 })
        {
            if (_partitionEnds[^1] != _count)
            {
                _partitionEnds.Add(_count);
            }

            ends = _partitionEnds.ToArray();
            _partitionEnds.Clear();
        }

        var batch = _items.Length == 0 ? Batch<T>.Empty : new Batch<T>(_items, _count, ends, pooled: true);
        if (_items.Length == 0 && ends is not null)
        {
            batch = new Batch<T>([], 0, ends, pooled: false);
        }

        _items = [];
        _count = 0;
        return batch;
    }

    /// <summary>
    /// Makes <see cref="ToBatch"/> reuse the batch objects of this builder's earlier batches once they are released
    /// (for a stream that owns the builder and releases its batches when it forgets them).
    /// </summary>
    internal void RecycleBatches() => _recycler ??= new BatchRecycler<T>();

    /// <summary>The builder's buffer: the first <see cref="Count"/> items are the records added so far.</summary>
    internal T[] Buffer => _items;

    /// <summary>The records added so far (valid until the next change to the builder).</summary>
    internal ReadOnlySpan<T> WrittenSpan => new(_items, 0, _count);

    /// <summary>Forgets the records and partition ends added so far, keeping the buffer for reuse.</summary>
    internal void Reset()
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            Array.Clear(_items, 0, _count);
        }

        _count = 0;
        _partitionEnds?.Clear();
    }

    /// <summary>Returns the buffer to the pool; the builder starts again empty.</summary>
    internal void ReleaseBuffer()
    {
        if (_items.Length > 0)
        {
            ArrayPool<T>.Shared.Return(_items, RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        }

        _items = [];
        _count = 0;
        _partitionEnds?.Clear();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddWithResize(T item)
    {
        Grow(_count + 1);
        _items[_count++] = item;
    }

    private void Grow(int minimum)
    {
        if (_items.Length == 0 && _recycler?.TryTakeBuffer(minimum) is { } recycled)
        {
            _items = recycled; // an earlier batch's buffer, released: no pool round trip
            return;
        }

        var next = ArrayPool<T>.Shared.Rent(Math.Max(minimum, Math.Max(16, _items.Length * 2)));
        _items.AsSpan(0, _count).CopyTo(next);
        if (_items.Length > 0)
        {
            ArrayPool<T>.Shared.Return(_items, RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        }

        _items = next;
    }
}
