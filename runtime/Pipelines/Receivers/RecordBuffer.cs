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
    private readonly int _maxPartitionLines;
    private BatchBuilder<T> _current = new(0);
    private LineBlockSetBuilder? _lines;
    private int _blockStart;
    private bool _closed;

    /// <summary>Creates a buffer that cuts a block every <paramref name="blockInterval"/> of <paramref name="timeProvider"/>.</summary>
    /// <param name="owner">The receiver's name, for errors.</param>
    /// <param name="timeProvider">The clock of the block timer.</param>
    /// <param name="blockInterval">How often a block (partition) is cut; zero for never.</param>
    /// <param name="maxPartitionLines">The most lines of stored line blocks one partition holds (cut at block boundaries).</param>
    public RecordBuffer(string owner, TimeProvider? timeProvider = null, TimeSpan blockInterval = default, int maxPartitionLines = int.MaxValue)
    {
        _owner = owner;
        _timeProvider = timeProvider;
        _blockInterval = blockInterval;
        _maxPartitionLines = maxPartitionLines;
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

            _lines?.EndPartition();
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _current.Count + (_lines?.Count ?? 0);
            }
        }
    }

    public void Add(T record)
    {
        lock (_gate)
        {
            ThrowIfClosed();
            MovePendingLinesToRecords();
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
            MovePendingLinesToRecords();
            _current.AddRange(records);
        }
    }

    /// <summary>Adds a block of lines, kept as it is until a batch takes it (only for a buffer of strings).</summary>
    public void AddLines(Compilation.TextLineBlock block)
    {
        lock (_gate)
        {
            ThrowIfClosed();
            if (_current.Count > 0)
            {
                // Records stored one by one are pending (e.g. under a rate limit): keep the order, as strings.
                AddStrings(block);
                return;
            }

            (_lines ??= new LineBlockSetBuilder(_maxPartitionLines)).Add(block);
        }
    }

    /// <summary>Under the lock: the pending line blocks become strings, so records added next follow them in order.</summary>
    private void MovePendingLinesToRecords()
    {
        if (_lines is not { Count: > 0 } lines)
        {
            return;
        }

        var set = lines.ToSet();
        for (var p = 0; p < set.PartitionCount; p++)
        {
            foreach (var block in set.GetPartitionBlocks(p))
            {
                AddStrings(block);
            }
        }

        set.Release();
    }

    private void AddStrings(Compilation.TextLineBlock block)
    {
        var builder = (BatchBuilder<string>)(object)_current;
        builder.EnsureCapacity(builder.Count + block.LineCount);
        for (var i = 0; i < block.LineCount; i++)
        {
            builder.Add(new string(block.GetLine(i)));
        }

        block.Release();
    }

    /// <summary>Hands over the stored records as a batch; the buffer starts again empty.</summary>
    public Batch<T> Take()
    {
        Batch<T> records;
        LineBlockSet? lines = null;
        lock (_gate)
        {
            _blockStart = 0;
            records = _current.Count == 0 ? Batch<T>.Empty : _current.ToBatch();
            if (_lines is { Count: > 0 })
            {
                lines = _lines.ToSet();
            }
        }

        if (lines is null)
        {
            return records;
        }

        var blocks = (Batch<T>)(object)new Batch<string>(lines);
        if (records.Count == 0)
        {
            return blocks;
        }

        // Not reached: AddLines and Add keep only one kind pending. Should it happen, nothing is lost.
        var builder = new BatchBuilder<T>(records.Count + blocks.Count);
        builder.AddRange(records.Span);
        builder.AddRange(blocks.Span);
        records.Release();
        blocks.Release();
        return builder.ToBatch();
    }

    /// <summary>Refuses further records (the context stopped).</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            _lines?.ReleaseAll();
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
