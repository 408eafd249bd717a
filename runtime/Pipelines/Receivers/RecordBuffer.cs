namespace Pipelines.Receivers;

/// <summary>
/// The records a receiver stored since the last batch (Spark's <c>BlockGenerator</c>): writers add under a lock,
/// a timer cuts the records added since the previous cut into a block every block interval, and each batch time
/// takes everything added so far, one partition per block.
/// </summary>
/// <typeparam name="T">The type of the records.</typeparam>
internal sealed class RecordBuffer<T>
{
    private readonly object _gate = new();
    private readonly string _owner;
    private readonly TimeProvider? _timeProvider;
    private readonly TimeSpan _blockInterval;
    private ITimer? _blockTimer;
    private BatchBuilder<T> _current = new(0);
    private int _blockStart;
    private bool _closed;

    /// <summary>Creates a buffer that cuts a block every <paramref name="blockInterval"/> of <paramref name="timeProvider"/>.</summary>
    public RecordBuffer(string owner, TimeProvider? timeProvider = null, TimeSpan blockInterval = default)
    {
        _owner = owner;
        _timeProvider = timeProvider;
        _blockInterval = blockInterval;
    }

    /// <summary>Ends the current block (partition) if records were added to it.</summary>
    public void CutBlock()
    {
        lock (_gate)
        {
            if (_current.Count > _blockStart)
            {
                _current.EndPartition();
                _blockStart = _current.Count;
            }
        }
    }

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
            _blockStart = 0;
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

        lock (_gate)
        {
            _blockTimer?.Dispose();
        }
    }

    private void ThrowIfClosed()
    {
        // The block timer starts with the first record (under the lock), so a context never started owns no timer.
        if (_blockTimer is null && !_closed && _timeProvider is not null && _blockInterval > TimeSpan.Zero)
        {
            _blockTimer = _timeProvider.CreateTimer(static state => ((RecordBuffer<T>)state!).CutBlock(), this, _blockInterval, _blockInterval);
        }

        if (_closed)
        {
            throw new InvalidOperationException(
                $"Cannot store records: the StreamingContext of receiver {_owner} has stopped. Stop storing when StoppingToken is cancelled.");
        }
    }
}
