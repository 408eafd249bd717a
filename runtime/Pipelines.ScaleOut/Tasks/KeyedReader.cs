using System.Globalization;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Pipelines.Kafka;

namespace Pipelines.ScaleOut;

/// <summary>
/// The reading side of the repartition topic for one of its partitions (owned with the input partition of the same
/// number): collects the stamped pairs and the writers' <see cref="EndMarker"/>s; batch t runs the keyed part of the
/// pipeline once every input partition's marker for t is read, over the pairs stamped with the marker's range (one per
/// index, in writer then index order), and commits its outputs like a <see cref="PartitionTask{TKey, TValue, TOut}"/>:
/// stamped, flushed, then its ledger record (key <c>&lt;repartition topic&gt;/&lt;r&gt;</c> in positions partition r).
/// </summary>
internal sealed class KeyedReader<TKey, TValue, TOut> : IAsyncDisposable
{
    private readonly ScaleOutApplication<TKey, TValue, TOut> _runtime;
    private readonly IProducer<string?, string> _producer;
    private readonly PartitionEngine<(string Key, string Value), TOut> _engine;
    private readonly TopicPartition _source;
    private readonly TopicPartition _positions;
    private readonly Dictionary<BatchTime, Dictionary<int, EndMarker>> _markers = [];
    private readonly Dictionary<(int Writer, BatchTime Time, long From, long Until), SortedDictionary<int, (string Key, string Value)>> _pairs = [];
    private readonly Dictionary<int, long> _floors = [];
    private readonly object _deliveries = new();
    private readonly Action<DeliveryReport<string?, string>> _delivered;
    private Error? _deliveryError;
    private UnfinishedBatch? _unfinished;
    private long _scanned;
    private BatchTime _last;

    private KeyedReader(ScaleOutApplication<TKey, TValue, TOut> runtime, int partition, IProducer<string?, string> producer)
    {
        _runtime = runtime;
        _producer = producer;
        _source = new TopicPartition(runtime.RepartitionTopic, partition);
        _positions = new TopicPartition(runtime.Options.PositionsTopic, partition);
        _engine = new PartitionEngine<(string Key, string Value), TOut>(runtime.ZeroTime, runtime.Options.BatchInterval, runtime.Keyed!, runtime.Options.LoggerFactory, runtime.Options.RequestTimeout);
        _last = runtime.ZeroTime;
        _delivered = Delivered;
    }

    public BatchTime Next => _last + _runtime.Options.BatchInterval;

    public static KeyedReader<TKey, TValue, TOut> Open(ScaleOutApplication<TKey, TValue, TOut> runtime, int partition)
    {
        var options = runtime.Options;
        var producer = new ProducerBuilder<string?, string>(options.Apply(new ProducerConfig
        {
            TransactionalId = $"{options.ApplicationId}-{runtime.RepartitionTopic}-{partition.ToString(CultureInfo.InvariantCulture)}",
            EnableIdempotence = true,
            LingerMs = 5,
        })).Build();
        KeyedReader<TKey, TValue, TOut>? reader = null;
        try
        {
            producer.InitTransactions(options.RequestTimeout);
            reader = new KeyedReader<TKey, TValue, TOut>(runtime, partition, producer);
            var ledger = runtime.WithLedgerReader(r => PositionLedger.Read(r, options.PositionsTopic, reader._source, options.RequestTimeout));
            reader.Scan();
            foreach (var entry in ledger)
            {
                if (reader.Input(entry.Time) is not { } input)
                {
                    throw new ScaleOutException($"The committed batch {entry.Time} of {reader._source} is not complete in the repartition topic (a writer's marker is missing); was the topic recreated?");
                }

                reader._engine.Step(entry.Time, input);
                reader.Forget(entry.Time);
                reader._last = entry.Time;
            }

            var floors = ledger.Count == 0 ? new Dictionary<int, long>() : ledger[^1].Floors;
            reader._unfinished = runtime.WithLedgerReader(r => UnfinishedBatch.Find(r, runtime.OutputTopic, runtime.OutputPartitions, partition, reader._last, floors, options.RequestTimeout));
            runtime.WithLedgerReader(r =>
            {
                for (var q = 0; q < runtime.OutputPartitions; q++)
                {
                    reader._floors[q] = r.QueryWatermarkOffsets(new TopicPartition(runtime.OutputTopic, q), options.RequestTimeout).High.Value;
                }

                return 0;
            });
            runtime.Logger.LogInformation(
                "Instance {InstanceId} took over {Partition} (keyed reader): {Batches} committed batches replayed; resumes at batch {Next}{Unfinished}",
                options.InstanceId,
                reader._source,
                ledger.Count,
                reader.Next,
                reader._unfinished is { } u ? string.Create(CultureInfo.InvariantCulture, $", finishes batch {u.Time} ({u.Written.Count} outputs readable)") : string.Empty);
            return reader;
        }
        catch
        {
            if (reader is not null)
            {
                reader._engine.DisposeAsync().AsTask().Wait(options.RequestTimeout);
            }

            producer.Dispose();
            throw;
        }
    }

    /// <summary>Runs the complete batches up to <paramref name="time"/>; stops at the first one a writer has not ended yet.</summary>
    public void RunUntil(BatchTime time, Func<bool> stop)
    {
        Scan();
        while (Next <= time && !stop() && Input(Next) is { } input)
        {
            RunBatch(Next, input);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _engine.DisposeAsync().ConfigureAwait(false);
        _producer.Dispose();
    }

    /// <summary>Reads the repartition partition from where the last scan stopped to its end.</summary>
    private void Scan()
    {
        var options = _runtime.Options;
        _runtime.WithLedgerReader(reader =>
        {
            var high = reader.QueryWatermarkOffsets(_source, options.RequestTimeout).High.Value;
            foreach (var record in KafkaReads.Range(reader, _source, _scanned, high, options.RequestTimeout))
            {
                if (EndMarker.Read(record.Message.Headers) is { } marker)
                {
                    if (marker.Time <= _last)
                    {
                        continue;
                    }

                    var byWriter = _markers.TryGetValue(marker.Time, out var m) ? m : _markers[marker.Time] = [];
                    if (byWriter.TryGetValue(marker.Writer, out var seen) && seen != marker)
                    {
                        throw new ScaleOutException($"{_source} holds two different end markers of writer {marker.Writer} for batch {marker.Time} ([{seen.From}, {seen.Until}) and [{marker.From}, {marker.Until})); another process may be writing with this application id.");
                    }

                    byWriter[marker.Writer] = marker;
                }
                else if (BatchStamp.Read(record.Message.Headers) is { } stamp && stamp.Time > _last)
                {
                    var key = (stamp.Partition, stamp.Time, stamp.From, stamp.Until);
                    var pairs = _pairs.TryGetValue(key, out var p) ? p : _pairs[key] = [];
                    pairs.TryAdd(stamp.Index, (record.Message.Key, record.Message.Value));
                }
            }

            _scanned = Math.Max(_scanned, high);
            return 0;
        });
    }

    /// <summary>The input of batch <paramref name="time"/> if every writer ended it, else null.</summary>
    private (string Key, string Value)[]? Input(BatchTime time)
    {
        if (!_markers.TryGetValue(time, out var byWriter) || byWriter.Count < _runtime.InputPartitions)
        {
            return null;
        }

        var input = new List<(string Key, string Value)>();
        foreach (var marker in byWriter.Values.OrderBy(m => m.Writer))
        {
            if (_pairs.TryGetValue((marker.Writer, marker.Time, marker.From, marker.Until), out var pairs))
            {
                input.AddRange(pairs.Values);
            }
        }

        return [.. input];
    }

    private void Forget(BatchTime time)
    {
        _markers.Remove(time);
        foreach (var key in _pairs.Keys.Where(k => k.Time <= time).ToList())
        {
            _pairs.Remove(key);
        }
    }

    private void RunBatch(BatchTime time, (string Key, string Value)[] input)
    {
        var options = _runtime.Options;
        HashSet<int>? written = null;
        if (_unfinished is { } unfinished && time >= unfinished.Time)
        {
            if (time > unfinished.Time)
            {
                throw new ScaleOutException($"Batch {unfinished.Time} of {_source} was to be finished, but the partition is at {time}.");
            }

            written = unfinished.Written;
            _unfinished = null;
        }

        var output = _engine.Step(time, input);
        if (written is not null && written.Count > 0 && written.Max() >= output.Length)
        {
            throw new ScaleOutException($"Batch {time} of {_source} gave {output.Length} output records, but its previous run wrote record {written.Max()}: the pipeline is not a deterministic function of its input batches.");
        }

        if (input.Length > 0 || output.Length > 0)
        {
            _producer.BeginTransaction();
            try
            {
                lock (_deliveries)
                {
                    _deliveryError = null;
                }

                for (var i = 0; i < output.Length; i++)
                {
                    if (written is not null && written.Contains(i))
                    {
                        continue;
                    }

                    var (key, value) = _runtime.ToRecord(output[i], time);
                    var stamp = new BatchStamp(_source.Partition.Value, time, 0, 0, i);
                    _producer.Produce(_runtime.OutputTopic, new Message<string?, string> { Key = key, Value = value, Headers = [new Header(BatchStamp.Header, stamp.Format())] }, _delivered);
                }

                if (_producer.Flush(options.RequestTimeout) > 0)
                {
                    throw new ScaleOutException($"The outputs of batch {time} of {_source} were not acknowledged within {options.RequestTimeout.TotalSeconds:0} s.");
                }

                Dictionary<int, long> floors;
                lock (_deliveries)
                {
                    if (_deliveryError is { } error)
                    {
                        throw new KafkaException(error);
                    }

                    floors = new Dictionary<int, long>(_floors);
                }

                _producer.Produce(_positions, new Message<string?, string> { Key = PositionLedger.Key(_source), Value = new LedgerEntry(time, 0, input.Length, floors).Format() });
                _producer.CommitTransaction(options.RequestTimeout);
            }
            catch
            {
                try
                {
                    _producer.AbortTransaction(options.RequestTimeout);
                }
                catch (KafkaException)
                {
                    // Fenced or fatal: the next owner takes over from the ledger.
                }

                throw;
            }

            ScaleOutMetrics.OutputRecords.Add(output.Length, _runtime.Tags);
            _runtime.BatchCommitted(new ScaleOutBatchInfo(options.InstanceId, _source, time, 0, input.Length, output.Length));
        }

        Forget(time);
        _last = time;
    }

    private void Delivered(DeliveryReport<string?, string> report)
    {
        lock (_deliveries)
        {
            if (report.Error.IsError)
            {
                _deliveryError ??= report.Error;
            }
            else
            {
                var q = report.Partition.Value;
                _floors[q] = Math.Max(_floors.GetValueOrDefault(q), report.Offset.Value + 1);
            }
        }
    }
}
