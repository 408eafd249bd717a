using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Pipelines.Kafka;

/// <summary>
/// A running exactly-once Kafka sink (see <see cref="KafkaSinks.SaveToKafka{T, TKey, TValue}"/>). Dispose it after the
/// context stopped to close its producer.
/// </summary>
public abstract class KafkaSink : IAsyncDisposable
{
    private protected KafkaSink(string transactionalId, string progressTopic, string name)
    {
        TransactionalId = transactionalId;
        ProgressTopic = progressTopic;
        Name = name;
    }

    /// <summary>The producer's transactional id (stable across restarts: a restarted sink fences the one before it).</summary>
    public string TransactionalId { get; }

    /// <summary>The topic of the sink's progress records.</summary>
    public string ProgressTopic { get; }

    /// <summary>The sink's name in its progress records.</summary>
    public string Name { get; }

    /// <summary>The newest batch time whose transaction committed, as far as this sink knows; <c>null</c> before any.</summary>
    public abstract BatchTime? LastCommittedBatch { get; }

    /// <summary>How many batches were skipped because an earlier run had already committed them (replays after recovery).</summary>
    public abstract int SkippedReplays { get; }

    /// <summary>Closes the producer.</summary>
    public abstract ValueTask DisposeAsync();
}

/// <summary>
/// Writes each batch in one Kafka transaction with a progress record for its batch time; on start it fences the
/// previous producer of its transactional id (which aborts its open transaction) and reads the newest committed batch
/// time, so that replayed batches up to it are skipped and later ones are written whole.
/// </summary>
internal sealed class KafkaTransactionalSink<T, TKey, TValue> : KafkaSink
{
    private readonly ProducerConfig _config;
    private readonly string _topic;
    private readonly Func<T, (TKey Key, TValue Value)> _toRecord;
    private readonly KafkaSinkOptions _options;
    private readonly ISerializer<TKey>? _keySerializer;
    private readonly ISerializer<TValue>? _valueSerializer;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly byte[] _progressKey;
    private IProducer<TKey, TValue>? _producer;
    private IProducer<byte[], byte[]>? _progress;
    private BatchTime? _lastCommitted;
    private int _skipped;

    public KafkaTransactionalSink(
        ProducerConfig config,
        string topic,
        Func<T, (TKey Key, TValue Value)> toRecord,
        KafkaSinkOptions options,
        ISerializer<TKey>? keySerializer,
        ISerializer<TValue>? valueSerializer,
        ILoggerFactory loggerFactory)
        : base(config.TransactionalId!, options.ProgressTopic ?? DefaultProgressTopic(config.TransactionalId!), options.Name ?? topic)
    {
        _config = new ProducerConfig(config.ToDictionary(p => p.Key, p => p.Value)) { EnableIdempotence = true };
        _topic = topic;
        _toRecord = toRecord;
        _options = options;
        _keySerializer = keySerializer;
        _valueSerializer = valueSerializer;
        _logger = loggerFactory.CreateLogger("Pipelines.Kafka.KafkaSink");
        _progressKey = Encoding.UTF8.GetBytes(Name);
    }

    public override BatchTime? LastCommittedBatch => _lastCommitted;

    public override int SkippedReplays => Volatile.Read(ref _skipped);

    internal static string DefaultProgressTopic(string transactionalId)
    {
        var name = new StringBuilder("pipelines-progress-");
        foreach (var c in transactionalId)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_');
        }

        return name.Length > 249 ? name.ToString(0, 249) : name.ToString();
    }

    public async ValueTask WriteAsync(Batch<T> batch, BatchTime time, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Librdkafka's transactional calls block; keep them off the caller's synchronization context.
            await Task.Run(() => Write(batch, time), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _progress?.Dispose();
            _producer?.Dispose();
            _producer = null;
            _progress = null;
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Write(Batch<T> batch, BatchTime time)
    {
        var producer = EnsureProducer();
        if (_lastCommitted is { } last && time <= last)
        {
            Interlocked.Increment(ref _skipped);
            _logger.LogInformation("Kafka sink {Sink}: the batch at {BatchTime} was committed before (up to {Last}); skipping its replay", Name, time, last);
            return;
        }

        if (batch.Count == 0)
        {
            return; // a replayed empty batch is empty again: nothing to recognise
        }

        producer.BeginTransaction();
        try
        {
            foreach (var record in batch.Span)
            {
                var (key, value) = _toRecord(record);
                Produce(producer, _topic, new Message<TKey, TValue> { Key = key, Value = value });
            }

            Produce(_progress!, ProgressTopic, new Message<byte[], byte[]>
            {
                Key = _progressKey,
                Value = Encoding.UTF8.GetBytes(time.Milliseconds.ToString(CultureInfo.InvariantCulture)),
            });
            producer.CommitTransaction(_options.TransactionTimeout);
            _lastCommitted = time;
        }
        catch (KafkaException error)
        {
            Fail(producer, time, error);
            throw; // unreachable: Fail throws
        }
    }

    private void Fail(IProducer<TKey, TValue> producer, BatchTime time, KafkaException error)
    {
        if (error.Error.IsFatal || error.Error.Code is ErrorCode.ProducerFenced or ErrorCode.InvalidProducerEpoch)
        {
            _producer = null;
            _progress?.Dispose();
            _progress = null;
            producer.Dispose();
            throw new KafkaSinkException(
                $"Kafka sink {Name}: the producer with transactional id '{TransactionalId}' failed fatally ({error.Error.Reason}), e.g. fenced by another running instance with the same id. The batch at {time} is not committed; stop the other instance, or give each instance its own transactional id. The next batch starts a new producer.",
                error);
        }

        try
        {
            producer.AbortTransaction(_options.TransactionTimeout);
        }
        catch (KafkaException abortError)
        {
            _logger.LogWarning(abortError, "Kafka sink {Sink}: aborting the transaction of the batch at {BatchTime} failed too", Name, time);
        }

        throw new KafkaSinkException(
            $"Kafka sink {Name}: the transaction of the batch at {time} failed ({error.Error.Reason}) and was aborted: read_committed consumers see none of it. The batch failed; restart from the checkpoint to write it again.",
            error);
    }

    private static void Produce<TK, TV>(IProducer<TK, TV> producer, string topic, Message<TK, TV> message)
    {
        while (true)
        {
            try
            {
                producer.Produce(topic, message);
                return;
            }
            catch (ProduceException<TK, TV> error) when (error.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(50)); // wait for deliveries to make room
            }
        }
    }

    private IProducer<TKey, TValue> EnsureProducer()
    {
        if (_producer is not null)
        {
            return _producer;
        }

        var builder = new ProducerBuilder<TKey, TValue>(_config)
            .SetLogHandler((_, message) =>
            {
                if (message.Level <= SyslogLevel.Warning)
                {
                    _logger.LogWarning("librdkafka {Facility}: {Message}", message.Facility, message.Message);
                }
            });
        if (_keySerializer is not null)
        {
            builder.SetKeySerializer(_keySerializer);
        }

        if (_valueSerializer is not null)
        {
            builder.SetValueSerializer(_valueSerializer);
        }

        var producer = builder.Build();
        try
        {
            // Fences the previous producer of this id and completes its open transaction (aborted unless it was committing).
            producer.InitTransactions(_options.TransactionTimeout);
            _progress = new DependentProducerBuilder<byte[], byte[]>(producer.Handle).Build();
            _lastCommitted = ReadLastCommitted();
        }
        catch
        {
            _progress?.Dispose();
            _progress = null;
            producer.Dispose();
            throw;
        }

        _producer = producer;
        _logger.LogInformation("Kafka sink {Sink} (transactional id {TransactionalId}) started; last committed batch {Last}", Name, TransactionalId, _lastCommitted?.ToString() ?? "none");
        return producer;
    }

    /// <summary>Reads the progress topic (read_committed) to its end and returns the newest batch time recorded for this sink.</summary>
    private BatchTime? ReadLastCommitted()
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = _config.BootstrapServers,
            GroupId = "pipelines-progress-reader",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            EnablePartitionEof = true,
            IsolationLevel = IsolationLevel.ReadCommitted,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            AllowAutoCreateTopics = false,
        };
        foreach (var (key, value) in _config)
        {
            if (key.StartsWith("security.", StringComparison.Ordinal) || key.StartsWith("sasl.", StringComparison.Ordinal) || key.StartsWith("ssl.", StringComparison.Ordinal))
            {
                config.Set(key, value);
            }
        }

        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var metadata = admin.GetMetadata(ProgressTopic, _options.TransactionTimeout);
        var topic = metadata.Topics.Single(t => t.Topic == ProgressTopic);
        if (topic.Error.Code == ErrorCode.UnknownTopicOrPart)
        {
            return null; // no batch was ever committed
        }

        if (topic.Error.Code != ErrorCode.NoError || topic.Partitions.Count == 0)
        {
            throw new KafkaSinkException($"Kafka sink {Name}: the progress topic '{ProgressTopic}' cannot be read ({topic.Error.Reason}); without it, replayed batches cannot be recognised. Check the cluster and the topic's permissions.");
        }

        var pending = new HashSet<int>();
        var assignment = new List<TopicPartitionOffset>();
        foreach (var partition in topic.Partitions)
        {
            var marks = consumer.QueryWatermarkOffsets(new TopicPartition(ProgressTopic, partition.PartitionId), _options.TransactionTimeout);
            if (marks.High.Value > marks.Low.Value)
            {
                pending.Add(partition.PartitionId);
                assignment.Add(new TopicPartitionOffset(ProgressTopic, partition.PartitionId, marks.Low));
            }
        }

        long? last = null;
        if (assignment.Count == 0)
        {
            return null;
        }

        consumer.Assign(assignment);
        var deadline = DateTime.UtcNow + _options.TransactionTimeout;
        while (pending.Count > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new KafkaSinkException($"Kafka sink {Name}: the progress topic '{ProgressTopic}' could not be read to its end within {_options.TransactionTimeout}; replayed batches cannot be recognised without it.");
            }

            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result is null)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                pending.Remove(result.Partition.Value);
                continue;
            }

            if (result.Message.Key is { } key && key.AsSpan().SequenceEqual(_progressKey)
                && long.TryParse(Encoding.UTF8.GetString(result.Message.Value), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms))
            {
                last = last is { } l ? Math.Max(l, ms) : ms;
            }
        }

        return last is { } time ? new BatchTime(time) : null;
    }
}
