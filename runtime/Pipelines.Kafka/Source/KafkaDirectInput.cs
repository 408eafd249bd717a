using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Pipelines.Kafka;

/// <summary>The parts of a direct stream that do not depend on its record type (offset ranges, commits).</summary>
internal interface IKafkaDirectInput
{
    IReadOnlyList<OffsetRange> OffsetRangesAt(BatchTime time);

    Task CommitAsync(IEnumerable<OffsetRange> ranges, CancellationToken cancellationToken);
}

/// <summary>
/// Spark's <c>DirectKafkaInputDStream</c> on the core's <see cref="DirectInput{T, TRange, TPosition}"/>: at each batch
/// time a driver consumer finds the partitions (new ones included) and their watermarks and decides one offset range
/// per partition, capped by the rate limits; the batch reads exactly those ranges with a reader consumer, one batch
/// partition per Kafka partition.
/// </summary>
internal sealed class KafkaDirectInput<TKey, TValue> : DirectInput<KafkaRecord<TKey, TValue>, OffsetRange[], KafkaPosition>, IKafkaDirectInput
{
    private readonly ConsumerConfig _config;
    private readonly KafkaSubscription _subscription;
    private readonly KafkaDirectStreamOptions _options;
    private readonly IDeserializer<TKey>? _keyDeserializer;
    private readonly IDeserializer<TValue>? _valueDeserializer;
    private readonly ILogger _logger;
    private readonly bool _hasGroup;
    private readonly object _driverGate = new();
    private readonly object _readerGate = new();
    private readonly SortedDictionary<TopicPartition, long> _position = new(TopicPartitionComparer.Instance);
    private readonly HashSet<TopicPartition> _missingWarned = [];
    private IConsumer<byte[], byte[]>? _driver;
    private IAdminClient? _admin;
    private IConsumer<TKey, TValue>? _reader;
    private bool _resolved;
    private long? _unreachableSince;

    public KafkaDirectInput(
        ConsumerConfig config,
        KafkaSubscription subscription,
        KafkaDirectStreamOptions options,
        IDeserializer<TKey>? keyDeserializer,
        IDeserializer<TValue>? valueDeserializer,
        ILoggerFactory loggerFactory)
        : base(KafkaJson.Default.OffsetRangeArray, KafkaJson.Default.KafkaPosition)
    {
        _config = new ConsumerConfig(config.ToDictionary(p => p.Key, p => p.Value));
        _hasGroup = !string.IsNullOrEmpty(_config.GroupId);
        _subscription = subscription;
        _options = options;
        _keyDeserializer = keyDeserializer;
        _valueDeserializer = valueDeserializer;
        _logger = loggerFactory.CreateLogger("Pipelines.Kafka.KafkaDirectStream");
    }

    public override string SourceIdentity => _subscription.Identity;

    public IReadOnlyList<OffsetRange> OffsetRangesAt(BatchTime time) => TryGetRange(time, out var ranges) ? ranges : [];

    public Task CommitAsync(IEnumerable<OffsetRange> ranges, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        if (!_hasGroup)
        {
            throw new InvalidOperationException("CommitAsync commits to a consumer group: set ConsumerConfig.GroupId on the direct stream's config.");
        }

        var offsets = ranges
            .GroupBy(r => r.TopicPartition, TopicPartitionComparer.Instance)
            .Select(g => new TopicPartitionOffset(g.Key, new Offset(g.Max(r => r.UntilOffset))))
            .ToList();
        if (offsets.Count == 0)
        {
            return Task.CompletedTask;
        }

        return Task.Run(
            () =>
            {
                lock (_driverGate)
                {
                    Driver().Commit(offsets);
                }
            },
            cancellationToken);
    }

    protected override OffsetRange[] DecideRange(DirectBatchRequest request)
    {
        lock (_driverGate)
        {
            Dictionary<TopicPartition, (long Low, long High)> watermarks;
            try
            {
                EnsureResolved();
                Discover();
                watermarks = QueryWatermarks(_position.Keys.Where(p => !_missingWarned.Contains(p)));
                _unreachableSince = null;
            }
            catch (KafkaException error) when (!error.Error.IsFatal)
            {
                var now = Stopwatch.GetTimestamp();
                _unreachableSince ??= now;
                var down = Stopwatch.GetElapsedTime(_unreachableSince.Value, now);
                if (down > _options.UnreachableTimeout)
                {
                    _unreachableSince = now; // report again after another timeout, not at every batch
                    throw new KafkaSourceException(
                        $"Kafka direct stream ({SourceIdentity}): the brokers ({_config.BootstrapServers}) have been unreachable for {down.TotalSeconds:0} s ({error.Error.Reason}). Batches are empty and positions do not move until they answer; check bootstrap.servers and the network.",
                        error);
                }

                _logger.LogWarning("Kafka direct stream ({Source}): cannot reach the brokers to decide the batch at {BatchTime} ({Reason}); the batch gets no records and the positions stay where they were", SourceIdentity, request.Time, error.Error.Reason);
                return EmptyRanges();
            }

            var plan = new List<(TopicPartition Partition, long From, long High)>(_position.Count);
            foreach (var (partition, position) in _position)
            {
                if (!watermarks.TryGetValue(partition, out var marks))
                {
                    plan.Add((partition, position, position)); // missing from the metadata: an empty range
                    continue;
                }

                var (low, high) = marks;
                var from = position;
                if (from < low || from > high)
                {
                    from = ResetOutOfRange(partition, from, low, high);
                }

                plan.Add((partition, from, high));
            }

            var limits = KafkaRateLimits.MaxRecordsPerPartition(
                plan.Select(p => p.High - p.From).ToArray(),
                request.RateLimit,
                _options.MaxRatePerPartition,
                _options.MinRatePerPartition,
                request.BatchInterval);
            var ranges = new OffsetRange[plan.Count];
            for (var i = 0; i < plan.Count; i++)
            {
                var (partition, from, high) = plan[i];
                var until = limits is null ? high : Math.Min(high, from + limits[i]);
                ranges[i] = new OffsetRange(partition.Topic, partition.Partition.Value, from, until);
            }

            foreach (var range in ranges)
            {
                _position[range.TopicPartition] = range.UntilOffset;
            }

            return ranges;
        }
    }

    protected override long CountRecords(OffsetRange[] range)
    {
        long count = 0;
        foreach (var r in range)
        {
            count += r.Count;
        }

        return count;
    }

    protected override void OnRangeReplayed(BatchTime time, OffsetRange[] range)
    {
        lock (_driverGate)
        {
            foreach (var r in range)
            {
                var partition = r.TopicPartition;
                _position[partition] = _position.TryGetValue(partition, out var at) ? Math.Max(at, r.UntilOffset) : r.UntilOffset;
            }

            _resolved = true;
        }
    }

    protected override KafkaPosition GetPosition()
    {
        lock (_driverGate)
        {
            if (!_resolved)
            {
                try
                {
                    EnsureResolved();
                }
                catch (KafkaException error)
                {
                    _logger.LogWarning("Kafka direct stream ({Source}): the starting offsets cannot be resolved yet ({Reason}); they will be at the first batch that reaches the brokers", SourceIdentity, error.Error.Reason);
                }
            }

            return new KafkaPosition(_resolved, [.. _position.Select(p => new PartitionOffset(p.Key.Topic, p.Key.Partition.Value, p.Value))]);
        }
    }

    protected override void RestorePosition(KafkaPosition position)
    {
        lock (_driverGate)
        {
            _position.Clear();
            foreach (var p in position.Offsets)
            {
                _position[new TopicPartition(p.Topic, p.Partition)] = p.Offset;
            }

            _resolved = position.Resolved;
        }
    }

    protected override Batch<KafkaRecord<TKey, TValue>> Read(BatchTime time, OffsetRange[] range, CancellationToken cancellationToken)
    {
        lock (_readerGate)
        {
            return KafkaRangeReader.Read(Reader(), range, _options.ReadTimeout, SourceIdentity, cancellationToken);
        }
    }

    protected override Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_readerGate)
        {
            _reader?.Dispose();
            _reader = null;
        }

        lock (_driverGate)
        {
            _admin?.Dispose();
            _admin = null;
            _driver?.Dispose();
            _driver = null;
        }

        return Task.CompletedTask;
    }

    private OffsetRange[] EmptyRanges() =>
        [.. _position.Select(p => new OffsetRange(p.Key.Topic, p.Key.Partition.Value, p.Value, p.Value))];

    /// <summary>Fresh start: every partition found starts at its explicit offset, the group's committed offset, or the reset policy.</summary>
    private void EnsureResolved()
    {
        if (_resolved)
        {
            return;
        }

        var partitions = _subscription.Discover(Admin(), _options.RequestTimeout);
        var committed = new Dictionary<TopicPartition, long>(TopicPartitionComparer.Instance);
        if (_hasGroup && _subscription.StartingOffsets is null && partitions.Count > 0)
        {
            foreach (var c in Driver().Committed(partitions, _options.RequestTimeout))
            {
                if (c.Offset.Value >= 0)
                {
                    committed[c.TopicPartition] = c.Offset.Value;
                }
            }
        }

        var watermarks = QueryWatermarks(partitions);
        foreach (var partition in partitions)
        {
            var (low, high) = watermarks[partition];
            long start;
            if (_subscription.StartingOffsets is { } explicitStarts && explicitStarts.TryGetValue(partition, out var given) && given.Value >= 0)
            {
                start = given.Value;
            }
            else if (_subscription.StartingOffsets is { } starts && starts.TryGetValue(partition, out var special) && special == Offset.Beginning)
            {
                start = low;
            }
            else if (_subscription.StartingOffsets is { } ends && ends.TryGetValue(partition, out var end) && end == Offset.End)
            {
                start = high;
            }
            else if (committed.TryGetValue(partition, out var at))
            {
                start = at;
            }
            else
            {
                start = ResetPolicy() switch
                {
                    AutoOffsetReset.Earliest => low,
                    AutoOffsetReset.Latest => high,
                    _ => throw new KafkaSourceException(
                        $"Kafka direct stream ({SourceIdentity}): {partition} has no starting offset (no committed offset for group '{_config.GroupId}') and auto.offset.reset is 'error'. Set AutoOffsetReset to Earliest or Latest, or Assign explicit offsets.",
                        partition,
                        null),
                };
            }

            _position[partition] = start;
        }

        _resolved = true;
        _logger.LogInformation("Kafka direct stream ({Source}) starts at {Offsets}", SourceIdentity, string.Join(", ", _position.Select(p => $"{p.Key.Topic}-{p.Key.Partition.Value}@{p.Value}")));
    }

    /// <summary>Adds partitions that appeared since the last batch; they start at their beginning, so none of their records is missed.</summary>
    private void Discover()
    {
        if (_subscription.StartingOffsets is not null)
        {
            return;
        }

        var found = _subscription.Discover(Admin(), _options.RequestTimeout);
        var present = new HashSet<TopicPartition>(found, TopicPartitionComparer.Instance);
        foreach (var partition in found)
        {
            if (!_position.ContainsKey(partition))
            {
                var (low, _) = QueryWatermarks([partition])[partition];
                _position[partition] = low;
                _logger.LogInformation("Kafka direct stream ({Source}): new partition {Partition}, read from its beginning (offset {Offset})", SourceIdentity, partition, low);
            }
        }

        foreach (var known in _position.Keys)
        {
            if (!present.Contains(known) && _missingWarned.Add(known))
            {
                _logger.LogWarning("Kafka direct stream ({Source}): {Partition} is no longer in the cluster's metadata (topic deleted?); its range stays empty while it is missing", SourceIdentity, known);
            }
            else if (present.Contains(known))
            {
                _missingWarned.Remove(known);
            }
        }
    }

    private long ResetOutOfRange(TopicPartition partition, long from, long low, long high)
    {
        switch (ResetPolicy())
        {
            case AutoOffsetReset.Earliest or AutoOffsetReset.Latest:
                var to = ResetPolicy() == AutoOffsetReset.Earliest ? low : high;
                _logger.LogWarning("Kafka direct stream ({Source}): offset {Offset} of {Partition} is out of range [{Low}, {High}] (records deleted by retention, or the topic was recreated); continuing from {To} as auto.offset.reset asks", SourceIdentity, from, partition, low, high, to);
                return to;
            default:
                throw new KafkaSourceException(
                    $"Kafka direct stream ({SourceIdentity}): offset {from} of {partition} is out of range [{low}, {high}] (records deleted by retention, or the topic was recreated) and auto.offset.reset is 'error'. Set AutoOffsetReset to Earliest or Latest to skip to the valid range, knowingly.",
                    partition,
                    from);
        }
    }

    private AutoOffsetReset ResetPolicy() => _config.AutoOffsetReset ?? AutoOffsetReset.Latest;

    private Dictionary<TopicPartition, (long Low, long High)> QueryWatermarks(IEnumerable<TopicPartition> partitions)
    {
        var result = new Dictionary<TopicPartition, (long, long)>(TopicPartitionComparer.Instance);
        var driver = Driver();
        foreach (var partition in partitions)
        {
            var w = driver.QueryWatermarkOffsets(partition, _options.RequestTimeout);
            result[partition] = (w.Low.Value, w.High.Value);
        }

        return result;
    }

    private IConsumer<byte[], byte[]> Driver()
    {
        if (_driver is null)
        {
            var config = new ConsumerConfig(_config.ToDictionary(p => p.Key, p => p.Value))
            {
                GroupId = _hasGroup ? _config.GroupId : "pipelines-kafka-driver",
                EnableAutoCommit = false,
                EnableAutoOffsetStore = false,
            };
            _driver = new ConsumerBuilder<byte[], byte[]>(config)
                .SetLogHandler((_, message) => Log(message))
                .SetErrorHandler((_, error) => _logger.LogDebug("Kafka direct stream ({Source}) driver: {Reason}", SourceIdentity, error.Reason))
                .Build();
        }

        return _driver;
    }

    private IAdminClient Admin() => _admin ??= new DependentAdminClientBuilder(Driver().Handle).Build();

    private IConsumer<TKey, TValue> Reader()
    {
        if (_reader is null)
        {
            var settings = _config.ToDictionary(p => p.Key, p => p.Value);
            var config = new ConsumerConfig(settings)
            {
                GroupId = _hasGroup ? _config.GroupId : "pipelines-kafka-reader",
                EnableAutoCommit = false,
                EnableAutoOffsetStore = false,
                EnablePartitionEof = true,

                // A range is read exactly: never let the client jump elsewhere on its own.
                AutoOffsetReset = AutoOffsetReset.Error,
            };

            // librdkafka's defaults fetch slowly for batch reads (see docs/guide/kafka.md); keep what the user set.
            config.FetchWaitMaxMs ??= 10;
            config.FetchQueueBackoffMs ??= 5;
            config.QueuedMinMessages ??= 1_000_000;
            var builder = new ConsumerBuilder<TKey, TValue>(config)
                .SetLogHandler((_, message) => Log(message))
                .SetErrorHandler((_, error) => _logger.LogDebug("Kafka direct stream ({Source}) reader: {Reason}", SourceIdentity, error.Reason));
            if (_keyDeserializer is not null)
            {
                builder.SetKeyDeserializer(_keyDeserializer);
            }

            if (_valueDeserializer is not null)
            {
                builder.SetValueDeserializer(_valueDeserializer);
            }

            _reader = builder.Build();
        }

        return _reader;
    }

    private void Log(LogMessage message)
    {
        var level = message.Level switch
        {
            SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical or SyslogLevel.Error => LogLevel.Error,
            SyslogLevel.Warning => LogLevel.Warning,
            SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
            _ => LogLevel.Debug,
        };
        _logger.Log(level, "librdkafka {Facility}: {Message}", message.Facility, message.Message);
    }
}

/// <summary>Orders partitions by topic (ordinal), then partition number.</summary>
internal sealed class TopicPartitionComparer : IComparer<TopicPartition>, IEqualityComparer<TopicPartition>
{
    public static TopicPartitionComparer Instance { get; } = new();

    public int Compare(TopicPartition? x, TopicPartition? y)
    {
        var byTopic = string.CompareOrdinal(x?.Topic, y?.Topic);
        return byTopic != 0 ? byTopic : (x?.Partition.Value ?? -1).CompareTo(y?.Partition.Value ?? -1);
    }

    public bool Equals(TopicPartition? x, TopicPartition? y) => Compare(x, y) == 0;

    public int GetHashCode(TopicPartition obj) => HashCode.Combine(obj.Topic, obj.Partition.Value);
}
