namespace Pipelines.Receivers;

/// <summary>
/// The records a receiver stored since the last batch (the part of Spark's <c>BlockGenerator</c> that this
/// runtime needs): writers add under a lock, and each batch time takes everything added so far.
/// </summary>
/// <typeparam name="T">The type of the records.</typeparam>
internal sealed class RecordBuffer<T>(string owner)
{
    private readonly object _gate = new();
    private BatchBuilder<T> _current = new(0);
    private bool _closed;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _current.Count;
            }
        }
    }

    public void Add(T record)
    {
        lock (_gate)
        {
            ThrowIfClosed();
            _current.Add(record);
        }
    }

    public void AddRange(IEnumerable<T> records)
    {
        // Enumerate outside the lock: a lazy sequence must not hold up the batch being cut.
        var items = records as T[] ?? records.ToArray();
        AddRange(items.AsSpan());
    }

    public void AddRange(ReadOnlySpan<T> records)
    {
        lock (_gate)
        {
            ThrowIfClosed();
            _current.AddRange(records);
        }
    }

    /// <summary>Hands over the stored records as a batch; the buffer starts again empty.</summary>
    public Batch<T> Take()
    {
        lock (_gate)
        {
            return _current.Count == 0 ? Batch<T>.Empty : _current.ToBatch();
        }
    }

    /// <summary>Refuses further records (the context stopped).</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
        }
    }

    private void ThrowIfClosed()
    {
        if (_closed)
        {
            throw new InvalidOperationException(
                $"Cannot store records: the StreamingContext of receiver {owner} has stopped. Stop storing when StoppingToken is cancelled.");
        }
    }
}
