using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Pipelines.Kafka;

namespace Pipelines.ScaleOut;

/// <summary>
/// The end marker of one writer's batch in one repartition partition (header <c>pipelines-marker</c> =
/// <c>"&lt;writer partition&gt; &lt;batch ms&gt; &lt;from&gt; &lt;until&gt;"</c>): every pair of that batch stamped with the same
/// range is before it in the partition.
/// </summary>
internal readonly record struct EndMarker(int Writer, BatchTime Time, long From, long Until)
{
    public const string Header = "pipelines-marker";

    public byte[] Format() => Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Writer} {Time.Milliseconds} {From} {Until}"));

    public static EndMarker? Read(Headers? headers)
    {
        if (headers is null || !headers.TryGetLastBytes(Header, out var bytes))
        {
            return null;
        }

        var parts = Encoding.ASCII.GetString(bytes).Split(' ');
        return new EndMarker(
            int.Parse(parts[0], CultureInfo.InvariantCulture),
            new BatchTime(long.Parse(parts[1], CultureInfo.InvariantCulture)),
            long.Parse(parts[2], CultureInfo.InvariantCulture),
            long.Parse(parts[3], CultureInfo.InvariantCulture));
    }
}

/// <summary>
/// The writing side of the repartition topic for one input partition: runs the per-partition part of the pipeline
/// and, every batch (also an empty one), in one transaction: the pairs to <c>hash(key)</c>'s repartition partition,
/// stamped; flush; the ledger record; flush; an <see cref="EndMarker"/> to every repartition partition; commit. A new
/// owner re-sends the markers of the last ledger batch (readers keep one marker per writer and batch).
/// </summary>
internal sealed class RepartitionWriter<TKey, TValue, TOut> : IAsyncDisposable
{
    private readonly ScaleOutApplication<TKey, TValue, TOut> _runtime;
    private readonly IProducer<string?, string> _producer;
    private readonly PartitionEngine<KafkaRecord<TKey, TValue>, (string Key, string Value)> _engine;
    private readonly TopicPartition _positions;
    private long _position;
    private BatchTime _last;

    private RepartitionWriter(ScaleOutApplication<TKey, TValue, TOut> runtime, TopicPartition partition, IProducer<string?, string> producer)
    {
        _runtime = runtime;
        Partition = partition;
        _producer = producer;
        _positions = new TopicPartition(runtime.Options.PositionsTopic, partition.Partition);
        _engine = new PartitionEngine<KafkaRecord<TKey, TValue>, (string Key, string Value)>(runtime.ZeroTime, runtime.Options.BatchInterval, runtime.RepartitionBy!, runtime.Options.LoggerFactory, runtime.Options.RequestTimeout);
        _last = runtime.ZeroTime;
    }

    public TopicPartition Partition { get; }

    public BatchTime Next => _last + _runtime.Options.BatchInterval;

    public static RepartitionWriter<TKey, TValue, TOut> Open(ScaleOutApplication<TKey, TValue, TOut> runtime, TopicPartition partition)
    {
        var options = runtime.Options;
        var producer = new ProducerBuilder<string?, string>(options.Apply(new ProducerConfig
        {
            TransactionalId = $"{options.ApplicationId}-{partition.Topic}-{partition.Partition.Value.ToString(CultureInfo.InvariantCulture)}",
            EnableIdempotence = true,
            LingerMs = 5,
        })).Build();
        RepartitionWriter<TKey, TValue, TOut>? writer = null;
        try
        {
            producer.InitTransactions(options.RequestTimeout);
            writer = new RepartitionWriter<TKey, TValue, TOut>(runtime, partition, producer);
            var ledger = runtime.WithLedgerReader(reader => PositionLedger.Read(reader, options.PositionsTopic, partition, options.RequestTimeout));
            foreach (var entry in ledger)
            {
                writer._engine.Step(entry.Time, runtime.ReadRange(partition, entry.From, entry.Until));
                writer._position = entry.Until;
                writer._last = entry.Time;
            }

            if (ledger.Count == 0)
            {
                writer._position = runtime.LowWatermark(partition);
            }
            else
            {
                // The previous owner may have died between the ledger record and the markers.
                var last = ledger[^1];
                producer.BeginTransaction();
                writer.ProduceMarkers(new EndMarker(partition.Partition.Value, last.Time, last.From, last.Until));
                producer.CommitTransaction(options.RequestTimeout);
            }

            runtime.Logger.LogInformation("Instance {InstanceId} took over {Partition} (repartition writer): {Batches} committed batches replayed; resumes at offset {Offset}, batch {Next}", options.InstanceId, partition, ledger.Count, writer._position, writer.Next);
            return writer;
        }
        catch
        {
            if (writer is not null)
            {
                writer._engine.DisposeAsync().AsTask().Wait(options.RequestTimeout);
            }

            producer.Dispose();
            throw;
        }
    }

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
        var until = Math.Min(_runtime.HighWatermark(Partition), _position + options.MaxRecordsPerPartition);
        var input = _runtime.ReadRange(Partition, _position, until);
        var pairs = _engine.Step(time, input);
        _producer.BeginTransaction();
        try
        {
            for (var i = 0; i < pairs.Length; i++)
            {
                var stamp = new BatchStamp(Partition.Partition.Value, time, _position, until, i);
                _producer.Produce(_runtime.RepartitionTopic, new Message<string?, string> { Key = pairs[i].Key, Value = pairs[i].Value, Headers = [new Header(BatchStamp.Header, stamp.Format())] });
            }

            Flush(time);
            _producer.Produce(_positions, new Message<string?, string> { Key = PositionLedger.Key(Partition), Value = new LedgerEntry(time, _position, until, new Dictionary<int, long>()).Format() });
            Flush(time);
            ProduceMarkers(new EndMarker(Partition.Partition.Value, time, _position, until));
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

        ScaleOutMetrics.BatchesCommitted.Add(1, _runtime.Tags);
        ScaleOutMetrics.InputRecords.Add(input.Length, _runtime.Tags);
        _runtime.BatchCommitted(new ScaleOutBatchInfo(options.InstanceId, Partition, time, _position, until, pairs.Length));
        _position = until;
        _last = time;
    }

    private void ProduceMarkers(EndMarker marker)
    {
        for (var r = 0; r < _runtime.RepartitionPartitions; r++)
        {
            _producer.Produce(new TopicPartition(_runtime.RepartitionTopic, r), new Message<string?, string> { Key = null, Value = string.Empty, Headers = [new Header(EndMarker.Header, marker.Format())] });
        }
    }

    private void Flush(BatchTime time)
    {
        if (_producer.Flush(_runtime.Options.RequestTimeout) > 0)
        {
            throw new ScaleOutException($"The repartition records of batch {time} of {Partition} were not acknowledged within {_runtime.Options.RequestTimeout.TotalSeconds:0} s.");
        }
    }
}
