using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Pipelines.Checkpointing;

/// <summary>
/// The write-ahead path of one receiver stream: blocks go to the <see cref="WriteAheadLog"/> before they are
/// buffered (and, for <c>StoreAsync</c>, before the receiver is told they are stored); each batch takes the
/// buffered records and remembers the log's sequence range it covers, which the batch journal records. On
/// recovery the ranges of unfinished batches are read back, and blocks logged but not yet in any batch are
/// buffered again. Records stored one by one (<c>Store</c>) are logged as one block when the batch is cut.
/// </summary>
/// <typeparam name="T">The type of the records (serialized with System.Text.Json, as the stream declares it).</typeparam>
internal sealed class ReceivedBlockLog<T> : IDisposable
{
    private readonly object _gate = new();
    private readonly WriteAheadLog _log;
    private readonly JsonTypeInfo<T[]> _blockType;
    private readonly Action<CheckpointException> _fail;
    private readonly SortedDictionary<BatchTime, (long From, long To)> _ranges = [];
    private BatchBuilder<T> _logged = new(0);
    private List<T> _unlogged = [];
    private long _assignedUpTo;
    private bool _closed;

    public ReceivedBlockLog(WriteAheadLog log, JsonSerializerOptions options, Action<CheckpointException> fail)
    {
        _log = log;
        options.MakeReadOnly(populateMissingResolver: true);
        _blockType = (JsonTypeInfo<T[]>)options.GetTypeInfo(typeof(T[]));
        _fail = fail;
    }

    public WriteAheadLog Log => _log;

    /// <summary>Records stored and not yet in a batch.</summary>
    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _logged.Count + _unlogged.Count;
            }
        }
    }

    /// <summary>Logs <paramref name="records"/> as one block (flushed to disk), then buffers them.</summary>
    /// <exception cref="CheckpointException">The log cannot be written: the block is not stored.</exception>
    public void StoreBlock(IEnumerable<T> records, string owner)
    {
        var block = records.ToArray();
        if (block.Length == 0)
        {
            return;
        }

        lock (_gate)
        {
            ThrowIfClosed(owner);
            _log.Append(JsonSerializer.SerializeToUtf8Bytes(block, _blockType));
            _logged.AddRange(block);
        }
    }

    /// <summary>Buffers a record stored on its own; it is logged with the others when the batch is cut.</summary>
    public void Add(T record, string owner)
    {
        lock (_gate)
        {
            ThrowIfClosed(owner);
            _unlogged.Add(record);
        }
    }

    /// <summary>Buffers records stored without acknowledgement; logged when the batch is cut.</summary>
    public void AddRange(ReadOnlySpan<T> records, string owner)
    {
        lock (_gate)
        {
            ThrowIfClosed(owner);
            _unlogged.AddRange(records);
        }
    }

    /// <summary>Cuts the batch at <paramref name="time"/>: logs what was stored one by one, takes every buffered record.</summary>
    public Batch<T> Take(BatchTime time)
    {
        lock (_gate)
        {
            if (_unlogged.Count > 0)
            {
                try
                {
                    _log.Append(JsonSerializer.SerializeToUtf8Bytes(_unlogged.ToArray(), _blockType));
                    _logged.AddRange(_unlogged);
                }
                catch (CheckpointException error)
                {
                    // The records stay buffered (not logged); the context stops with the error.
                    _fail(error);
                    throw;
                }

                _unlogged = [];
            }

            var from = _assignedUpTo;
            _assignedUpTo = _log.NextSequence;
            _ranges[time] = (from, _assignedUpTo);
            if (_logged.Count == 0)
            {
                return Batch<T>.Empty;
            }

            var batch = _logged.ToBatch();
            _logged = new BatchBuilder<T>(0);
            return batch;
        }
    }

    /// <summary>The log range of the batch at <paramref name="time"/> as JSON <c>[from, to]</c>.</summary>
    public void WriteBatch(BatchTime time, Utf8JsonWriter writer)
    {
        lock (_gate)
        {
            var (from, to) = _ranges.TryGetValue(time, out var range) ? range : (_assignedUpTo, _assignedUpTo);
            writer.WriteStartArray();
            writer.WriteNumberValue(from);
            writer.WriteNumberValue(to);
            writer.WriteEndArray();
        }
    }

    /// <summary>Reads the blocks of a journaled batch back from the log.</summary>
    public Batch<T> Restore(BatchTime time, JsonElement? descriptor)
    {
        if (descriptor is not { ValueKind: JsonValueKind.Array } range)
        {
            return Batch<T>.Empty;
        }

        var from = range[0].GetInt64();
        var to = range[1].GetInt64();
        var builder = new BatchBuilder<T>(0);
        foreach (var (_, payload) in _log.Read(from, to))
        {
            builder.AddRange(JsonSerializer.Deserialize(payload, _blockType) ?? []);
        }

        lock (_gate)
        {
            _ranges[time] = (from, to);
            _assignedUpTo = Math.Max(_assignedUpTo, to);
        }

        return builder.Count == 0 ? Batch<T>.Empty : builder.ToBatch();
    }

    /// <summary>The first log sequence not in any batch.</summary>
    public long Position
    {
        get
        {
            lock (_gate)
            {
                return _assignedUpTo;
            }
        }

        set
        {
            lock (_gate)
            {
                _assignedUpTo = value;
                _log.ContinueFrom(value);
            }
        }
    }

    /// <summary>Buffers again the blocks that were logged (and acknowledged) but were in no batch at the failure.</summary>
    public int RequeueUnassigned()
    {
        lock (_gate)
        {
            var count = 0;
            foreach (var (_, payload) in _log.Read(_assignedUpTo, _log.NextSequence))
            {
                var block = JsonSerializer.Deserialize(payload, _blockType) ?? [];
                _logged.AddRange(block);
                count += block.Length;
            }

            return count;
        }
    }

    /// <summary>Forgets batches at or before <paramref name="time"/> and deletes log segments only they used.</summary>
    public void TrimThrough(BatchTime time)
    {
        long keepFrom;
        lock (_gate)
        {
            while (_ranges.Count > 0 && _ranges.First().Key <= time)
            {
                _ranges.Remove(_ranges.First().Key);
            }

            keepFrom = _ranges.Count > 0 ? _ranges.First().Value.From : _assignedUpTo;
        }

        _log.TrimBefore(keepFrom);
    }

    /// <summary>Refuses further records (the context stopped).</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
        }
    }

    public void Dispose() => _log.Dispose();

    private void ThrowIfClosed(string owner)
    {
        if (_closed)
        {
            throw new InvalidOperationException(
                $"Cannot store records: the StreamingContext of this receiver has stopped ({owner}). Stop storing when StoppingToken is cancelled.");
        }
    }
}
