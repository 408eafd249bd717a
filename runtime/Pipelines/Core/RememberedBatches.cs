namespace Pipelines;

/// <summary>
/// The batches a stream remembers, by time, sorted (times arrive in order, so adding is an append): a stream's
/// <c>GetOrCompute</c> and <c>ClearMetadata</c> run on it for every batch without allocating. (A
/// <c>SortedList&lt;BatchTime, Batch&lt;T&gt;&gt;</c> boxed the time on every lookup in its shared generic code.)
/// Not thread-safe: the stream locks it.
/// </summary>
/// <typeparam name="T">The type of the records.</typeparam>
internal sealed class RememberedBatches<T>
{
    private long[] _times = new long[4];
    private Batch<T>?[] _batches = new Batch<T>?[4];
    private int _count;

    /// <summary>The number of remembered times.</summary>
    public int Count => _count;

    /// <summary>The earliest remembered time (only when <see cref="Count"/> is positive).</summary>
    public BatchTime FirstTime => new(_times[0]);

    /// <summary>The batch at the earliest remembered time (only when <see cref="Count"/> is positive).</summary>
    public Batch<T>? FirstBatch => _batches[0];

    /// <summary>The batch remembered at <paramref name="time"/> (<c>null</c> is a remembered "no batch").</summary>
    public bool TryGetValue(BatchTime time, out Batch<T>? batch)
    {
        var index = IndexOf(time.Milliseconds);
        if (index >= 0)
        {
            batch = _batches[index];
            return true;
        }

        batch = null;
        return false;
    }

    /// <summary>Whether a batch (or "no batch") is remembered at <paramref name="time"/>.</summary>
    public bool ContainsKey(BatchTime time) => IndexOf(time.Milliseconds) >= 0;

    /// <summary>Remembers <paramref name="batch"/> at <paramref name="time"/>, replacing what was remembered there.</summary>
    public void Set(BatchTime time, Batch<T>? batch)
    {
        var index = IndexOf(time.Milliseconds);
        if (index >= 0)
        {
            _batches[index] = batch;
            return;
        }

        index = ~index;
        if (_count == _times.Length)
        {
            Array.Resize(ref _times, _count * 2);
            Array.Resize(ref _batches, _count * 2);
        }

        if (index < _count)
        {
            Array.Copy(_times, index, _times, index + 1, _count - index);
            Array.Copy(_batches, index, _batches, index + 1, _count - index);
        }

        _times[index] = time.Milliseconds;
        _batches[index] = batch;
        _count++;
    }

    /// <summary>Forgets the earliest remembered time.</summary>
    public void RemoveFirst() => RemoveAt(0);

    /// <summary>Forgets <paramref name="time"/>, if remembered.</summary>
    public void Remove(BatchTime time)
    {
        var index = IndexOf(time.Milliseconds);
        if (index >= 0)
        {
            RemoveAt(index);
        }
    }

    /// <summary>The batch remembered at position <paramref name="index"/> in time order.</summary>
    public Batch<T>? BatchAt(int index) => _batches[index];

    private void RemoveAt(int index)
    {
        _count--;
        if (index < _count)
        {
            Array.Copy(_times, index + 1, _times, index, _count - index);
            Array.Copy(_batches, index + 1, _batches, index, _count - index);
        }

        _batches[_count] = null;
    }

    /// <summary>The position of <paramref name="milliseconds"/>, or the complement of where it would go.</summary>
    private int IndexOf(long milliseconds)
    {
        // Lookups are nearly always for the newest time: check the end first.
        if (_count > 0 && _times[_count - 1] == milliseconds)
        {
            return _count - 1;
        }

        return Array.BinarySearch(_times, 0, _count, milliseconds);
    }
}
