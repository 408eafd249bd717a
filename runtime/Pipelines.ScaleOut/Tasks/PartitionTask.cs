using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Pipelines.Kafka;

namespace Pipelines.ScaleOut;

/// <summary>
/// The work of one input partition on the instance that owns it (Kafka Streams' task): its own transactional producer
/// (<c>transactional.id = &lt;application&gt;-&lt;topic&gt;-&lt;partition&gt;</c>, so a new owner's
/// <c>InitTransactions</c> fences the previous one and aborts its open transaction), its position, and its engine.
/// Each batch's outputs and its ledger entry in the positions topic commit in one transaction; the outputs are flushed
/// (acknowledged) before the ledger record is produced and carry a <see cref="BatchStamp"/>, so a batch whose ledger
/// record is readable has all its outputs readable, and a batch left unfinished can be finished by the next owner.
/// </summary>
internal sealed class PartitionTask<TKey, TValue, TOut> : IPartitionWork
{
    private readonly ScaleOutApplication<TKey, TValue, TOut> _runtime;
    private readonly IProducer<string?, string> _producer;
    private readonly PartitionEngine<KafkaRecord<TKey, TValue>, TOut> _engine;
    private readonly TopicPartition _positions;
    private readonly Dictionary<int, long> _floors = [];
    private readonly object _deliveries = new();
    private readonly Action<DeliveryReport<string?, string>> _delivered;
    private Error? _deliveryError;
    private UnfinishedBatch? _unfinished;
    private long _position;
    private BatchTime _last;

    private PartitionTask(ScaleOutApplication<TKey, TValue, TOut> runtime, TopicPartition partition, IProducer<string?, string> producer)
    {
        _runtime = runtime;
        Partition = partition;
        _producer = producer;
        _positions = new TopicPartition(runtime.Options.PositionsTopic, partition.Partition);
        _engine = new PartitionEngine<KafkaRecord<TKey, TValue>, TOut>(runtime.ZeroTime, runtime.Options.BatchInterval, runtime.Define, runtime.Options.LoggerFactory, runtime.Options.RequestTimeout);
        _last = runtime.ZeroTime;
        _delivered = Delivered;
    }

    public TopicPartition Partition { get; }

    /// <summary>The next batch this partition runs.</summary>
    public BatchTime Next => _last + _runtime.Options.BatchInterval;

    /// <summary>
    /// Takes the partition over: fences any previous owner, reads its committed batches from the positions topic and
    /// replays them through a fresh engine (outputs discarded, they are committed already), so windows and keyed
    /// state are as the previous owner left them at its last commit.
    /// </summary>
    public static PartitionTask<TKey, TValue, TOut> Open(ScaleOutApplication<TKey, TValue, TOut> runtime, TopicPartition partition)
    {
        var options = runtime.Options;
        var producer = new ProducerBuilder<string?, string>(options.Apply(new ProducerConfig
        {
            TransactionalId = $"{options.ApplicationId}-{partition.Topic}-{partition.Partition.Value.ToString(CultureInfo.InvariantCulture)}",
            EnableIdempotence = true,
            LingerMs = 5,
        })).Build();
        PartitionTask<TKey, TValue, TOut>? task = null;
        try
        {
            var watch = Stopwatch.StartNew();
            producer.InitTransactions(options.RequestTimeout);
            task = new PartitionTask<TKey, TValue, TOut>(runtime, partition, producer);
            var ledger = runtime.WithLedgerReader(reader => PositionLedger.Read(reader, options.PositionsTopic, partition, options.RequestTimeout));
            long records = 0;
            foreach (var entry in ledger)
            {
                var input = runtime.ReadRange(partition, entry.From, entry.Until);
                records += input.Length;
                task._engine.Step(entry.Time, input);
                task._position = entry.Until;
                task._last = entry.Time;
            }

            if (ledger.Count == 0)
            {
                task._position = runtime.LowWatermark(partition);
            }

            // A batch after the last committed one whose outputs are readable: its owner died (or failed) inside the
            // transaction. A broker aborts it (InitTransactions above) and nothing is found; the mock cluster shows it.
            var floors = ledger.Count == 0 ? new Dictionary<int, long>() : ledger[^1].Floors;
            var unfinished = runtime.WithLedgerReader(reader => UnfinishedBatch.Find(reader, runtime.OutputTopic, runtime.OutputPartitions, partition.Partition.Value, task._last, floors, options.RequestTimeout));
            if (unfinished is not null)
            {
                if (unfinished.From != task._position)
                {
                    throw new ScaleOutException($"The unfinished batch {unfinished.Time} of {partition} starts at offset {unfinished.From}, but the last committed batch ends at {task._position}; the positions topic and the output topic disagree (were they recreated separately?).");
                }

                task._unfinished = unfinished;
                runtime.Logger.LogWarning(
                    "Instance {InstanceId} finishes batch {Time} of {Partition}: the previous owner left {Written} of its outputs readable without committing it",
                    options.InstanceId,
                    unfinished.Time,
                    partition,
                    unfinished.Written.Count);
            }

            // This owner's outputs all come after the output topic's end now.
            runtime.WithLedgerReader(reader =>
            {
                for (var q = 0; q < runtime.OutputPartitions; q++)
                {
                    task._floors[q] = reader.QueryWatermarkOffsets(new TopicPartition(runtime.OutputTopic, q), options.RequestTimeout).High.Value;
                }

                return 0;
            });

            ScaleOutMetrics.Takeovers.Add(1, runtime.Tags);
            runtime.Logger.LogInformation(
                "Instance {InstanceId} took over {Partition}: {Batches} committed batches replayed ({Records} records) in {Elapsed} ms; resumes at offset {Offset}, batch {Next}",
                options.InstanceId,
                partition,
                ledger.Count,
                records,
                watch.ElapsedMilliseconds,
                task._position,
                task.Next);
            return task;
        }
        catch
        {
            if (task is not null)
            {
                task._engine.DisposeAsync().AsTask().Wait(options.RequestTimeout);
            }

            producer.Dispose();
            throw;
        }
    }

    /// <summary>Runs this partition's batches up to and including <paramref name="time"/>, unless <paramref name="stop"/> says to stop between two.</summary>
    public void RunUntil(BatchTime time, Func<bool> stop)
    {
        while (Next <= time && !stop())
        {
            RunBatch(Next);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _engine.DisposeAsync().ConfigureAwait(false);
        _producer.Dispose();
    }

    private void RunBatch(BatchTime time)
    {
        var options = _runtime.Options;
        long until;
        HashSet<int>? written = null;
        if (_unfinished is { } unfinished)
        {
            if (time > unfinished.Time)
            {
                throw new ScaleOutException($"Batch {unfinished.Time} of {Partition} was to be finished, but the partition is at {time}.");
            }

            // Batches before the unfinished one were empty for the previous owner (no ledger record): they stay empty.
            until = time < unfinished.Time ? _position : unfinished.Until;
            if (time == unfinished.Time)
            {
                written = unfinished.Written;
                _unfinished = null;
            }
        }
        else
        {
            until = Math.Min(_runtime.HighWatermark(Partition), _position + options.MaxRecordsPerPartition);
        }

        var input = _runtime.ReadRange(Partition, _position, until);
        var output = _engine.Step(time, input);
        if (written is not null && written.Count > 0 && written.Max() >= output.Length)
        {
            throw new ScaleOutException($"Batch {time} of {Partition} gave {output.Length} output records, but its previous run wrote record {written.Max()}: the pipeline is not a deterministic function of its input batches.");
        }

        if (until > _position || output.Length > 0)
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
                        continue; // readable already: the previous owner's unfinished run wrote it
                    }

                    var (key, value) = _runtime.ToRecord(output[i], time);
                    var stamp = new BatchStamp(Partition.Partition.Value, time, _position, until, i);
                    _producer.Produce(_runtime.OutputTopic, new Message<string?, string> { Key = key, Value = value, Headers = [new Header(BatchStamp.Header, stamp.Format())] }, _delivered);
                }

                // Every output acknowledged before the ledger record is produced: a readable ledger record means readable
                // outputs, also where transactions hide nothing (librdkafka's mock cluster).
                if (_producer.Flush(options.RequestTimeout) > 0)
                {
                    throw new ScaleOutException($"The outputs of batch {time} of {Partition} were not acknowledged within {options.RequestTimeout.TotalSeconds:0} s.");
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

                _producer.Produce(_positions, new Message<string?, string> { Key = PositionLedger.Key(Partition), Value = new LedgerEntry(time, _position, until, floors).Format() });
                _producer.CommitTransaction(options.RequestTimeout);
            }
            catch (KafkaException error) when (IsFenced(error))
            {
                ScaleOutMetrics.Fenced.Add(1, _runtime.Tags);
                throw new PartitionFencedException(Partition, error);
            }
            catch
            {
                TryAbort();
                throw;
            }

            ScaleOutMetrics.BatchesCommitted.Add(1, _runtime.Tags);
            ScaleOutMetrics.InputRecords.Add(input.Length, _runtime.Tags);
            ScaleOutMetrics.OutputRecords.Add(output.Length, _runtime.Tags);
            _runtime.BatchCommitted(new ScaleOutBatchInfo(options.InstanceId, Partition, time, _position, until, output.Length));
        }

        _position = until;
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

    private static bool IsFenced(KafkaException error) =>
        error.Error.Code is ErrorCode.ProducerFenced or ErrorCode.InvalidProducerEpoch or ErrorCode.TransactionalIdAuthorizationFailed
        || (error is KafkaTxnRequiresAbortException == false && error.Error.IsFatal);

    private void TryAbort()
    {
        try
        {
            _producer.AbortTransaction(_runtime.Options.RequestTimeout);
        }
        catch (KafkaException)
        {
            // Fenced or fatal: the next owner's InitTransactions aborts it.
        }
    }
}

/// <summary>A newer owner of the partition fenced this instance's producer: the partition is given up.</summary>
internal sealed class PartitionFencedException(TopicPartition partition, Exception inner)
    : Exception($"The producer of {partition} was fenced by a newer owner; this instance gives the partition up.", inner)
{
    public TopicPartition Partition { get; } = partition;
}
