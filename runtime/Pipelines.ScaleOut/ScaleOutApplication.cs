using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Pipelines.Kafka;

namespace Pipelines.ScaleOut;

/// <summary>
/// One instance of a scaled-out application: start the same program N times with the same
/// <see cref="ScaleOutOptions.ApplicationId"/> and the input topic's partitions are divided among the instances
/// (a Kafka consumer group, cooperative-sticky), moved when one joins, leaves or dies, and every partition's batches
/// commit exactly once. With the one-part constructor the pipeline runs per input partition, so the input must be
/// partitioned by the key of its keyed operators (co-partitioned, as Kafka Streams requires for joins); the two-part
/// constructor moves the records by key through the internal repartition topic first. Windows and keyed state then
/// give the results one process would.
/// </summary>
/// <typeparam name="TKey">The input records' key type (Confluent.Kafka's default deserializers).</typeparam>
/// <typeparam name="TValue">The input records' value type.</typeparam>
/// <typeparam name="TOut">The pipeline's output records.</typeparam>
/// <example>
/// <code>
/// await using var app = new ScaleOutApplication&lt;string, string, (string Word, long Count)&gt;(
///     new ScaleOutOptions { ApplicationId = "wordcount", BootstrapServers = "broker:9092", BatchInterval = TimeSpan.FromSeconds(1) },
///     inputTopic: "words",
///     define: words =&gt; words.Map(r =&gt; (r.Key, 1L)).ReduceByKeyAndWindow((a, b) =&gt; a + b, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)),
///     outputTopic: "word-counts",
///     toRecord: (pair, time) =&gt; (pair.Word, $"{time.Milliseconds} {pair.Count}"));
/// await app.StartAsync();
/// await app.Completion;
/// </code>
/// </example>
public sealed class ScaleOutApplication<TKey, TValue, TOut> : IAsyncDisposable
{
    private const int MaxAttempts = 3;
    private readonly object _readerGate = new();
    private readonly object _ledgerGate = new();
    private readonly SemaphoreSlim _work = new(1, 1);
    private readonly ConcurrentDictionary<TopicPartition, bool> _owned = new(TopicPartitionEquality.Instance);
    private readonly Dictionary<TopicPartition, IPartitionWork> _tasks = new(TopicPartitionEquality.Instance);
    private readonly ConcurrentDictionary<TopicPartition, bool> _fenced = new(TopicPartitionEquality.Instance);
    private readonly Dictionary<TopicPartition, int> _failures = new(TopicPartitionEquality.Instance);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IConsumer<TKey, TValue>? _reader;
    private IConsumer<string, string>? _ledgerReader;
    private IConsumer<byte[], byte[]>? _member;
    private Thread? _membership;
    private Task? _loop;
    private int _started;
    private int _disposed;

    /// <summary>Creates the instance; nothing connects before <see cref="StartAsync"/>.</summary>
    /// <param name="options">The application id, brokers, batch interval and limits.</param>
    /// <param name="inputTopic">The input topic, partitioned by the key of the pipeline's keyed operators.</param>
    /// <param name="define">The pipeline over one partition's records (call a generated <c>Compile…</c> method here to run compiled stages).</param>
    /// <param name="outputTopic">Where the pipeline's records go, in each batch's transaction.</param>
    /// <param name="toRecord">Turns an output record and its batch time into the Kafka record's key and value.</param>
    public ScaleOutApplication(
        ScaleOutOptions options,
        string inputTopic,
        Func<DStream<KafkaRecord<TKey, TValue>>, DStream<TOut>> define,
        string outputTopic,
        Func<TOut, BatchTime, (string? Key, string Value)> toRecord)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputTopic);
        ArgumentNullException.ThrowIfNull(define);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputTopic);
        ArgumentNullException.ThrowIfNull(toRecord);
        options.Validate();
        Options = options;
        InputTopic = inputTopic;
        Define = define;
        OutputTopic = outputTopic;
        ToRecord = toRecord;
        Logger = options.LoggerFactory.CreateLogger("Pipelines.ScaleOut");
        Tags = [new("pipelines.application_id", options.ApplicationId), new("pipelines.instance_id", options.InstanceId)];
        ScaleOutMetrics.Meter.CreateObservableGauge("pipelines.scaleout.owned_partitions", () => new System.Diagnostics.Metrics.Measurement<int>(_owned.Count, Tags), "{partition}", "Input partitions this instance owns.");
    }

    /// <summary>
    /// Creates an instance of an application whose keyed operators need records by a key the input topic is not
    /// partitioned by (a word count over lines): <paramref name="repartitionBy"/> runs per input partition and gives
    /// (key, value) pairs; they go through the internal topic <c>&lt;ApplicationId&gt;-repartition-0</c> (as many
    /// partitions as the input topic), partitioned by key, with an end marker from every input partition per batch;
    /// <paramref name="keyed"/> runs per repartition partition on batch t once all input partitions ended t, so each
    /// key's records meet in one place.
    /// </summary>
    /// <param name="options">The application id, brokers, batch interval and limits.</param>
    /// <param name="inputTopic">The input topic.</param>
    /// <param name="repartitionBy">The per-input-partition part: records to (key, value) pairs. Keep it stateless (maps and filters): it is not restored on a takeover beyond its committed batches.</param>
    /// <param name="keyed">The keyed part over the pairs of one repartition partition (windows, keyed state, reductions by key).</param>
    /// <param name="outputTopic">Where the keyed part's records go.</param>
    /// <param name="toRecord">Turns an output record and its batch time into the Kafka record's key and value.</param>
    public ScaleOutApplication(
        ScaleOutOptions options,
        string inputTopic,
        Func<DStream<KafkaRecord<TKey, TValue>>, DStream<(string Key, string Value)>> repartitionBy,
        Func<DStream<(string Key, string Value)>, DStream<TOut>> keyed,
        string outputTopic,
        Func<TOut, BatchTime, (string? Key, string Value)> toRecord)
        : this(options, inputTopic, NotUsed, outputTopic, toRecord)
    {
        ArgumentNullException.ThrowIfNull(repartitionBy);
        ArgumentNullException.ThrowIfNull(keyed);
        RepartitionBy = repartitionBy;
        Keyed = keyed;
    }

    /// <summary>This instance's id.</summary>
    public string InstanceId => Options.InstanceId;

    /// <summary>The input topic.</summary>
    public string InputTopic { get; }

    /// <summary>The output topic.</summary>
    public string OutputTopic { get; }

    /// <summary>The zero time every instance agreed on (batch k is at zero + k × interval); set by <see cref="StartAsync"/>.</summary>
    public BatchTime ZeroTime { get; private set; }

    /// <summary>The input partitions this instance owns now, in partition order.</summary>
    public IReadOnlyList<TopicPartition> OwnedPartitions => [.. _owned.Keys.OrderBy(p => p.Partition.Value)];

    /// <summary>Completes when the instance stopped; faults with the error that stopped it.</summary>
    public Task Completion => _completion.Task;

    internal ScaleOutOptions Options { get; }

    internal Func<DStream<KafkaRecord<TKey, TValue>>, DStream<TOut>> Define { get; }

    internal Func<TOut, BatchTime, (string? Key, string Value)> ToRecord { get; }

    internal ILogger Logger { get; }

    internal KeyValuePair<string, object?>[] Tags { get; }

    /// <summary>The output topic's partition count (read at start).</summary>
    internal int OutputPartitions { get; private set; }

    /// <summary>The input topic's partition count (read at start).</summary>
    internal int InputPartitions { get; private set; }

    /// <summary>The repartition topic's partition count (read at start; the input's).</summary>
    internal int RepartitionPartitions { get; private set; }

    /// <summary>The internal repartition topic.</summary>
    internal string RepartitionTopic => Options.ApplicationId + "-repartition-0";

    /// <summary>The per-input-partition part when the pipeline repartitions, else null.</summary>
    internal Func<DStream<KafkaRecord<TKey, TValue>>, DStream<(string Key, string Value)>>? RepartitionBy { get; }

    /// <summary>The keyed part when the pipeline repartitions, else null.</summary>
    internal Func<DStream<(string Key, string Value)>, DStream<TOut>>? Keyed { get; }

    /// <summary>
    /// Agrees on the zero time, joins the group and starts cutting batches. Returns once the instance runs; its
    /// partitions arrive with the group's first rebalance.
    /// </summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="ScaleOutException">The internal topics are missing or too small, or the brokers did not answer.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            throw new InvalidOperationException("The instance was started already.");
        }

        await Task.Run(
            () =>
            {
                _reader = new ConsumerBuilder<TKey, TValue>(Options.Apply(ReaderConfig())).Build();
                _ledgerReader = new ConsumerBuilder<string, string>(Options.Apply(ReaderConfig())).Build();
                CheckPositionsTopic();
                ZeroTime = WithLedgerReader(reader => ZeroTimeAgreement.Agree(Options, TimeProvider.System, reader));
            },
            cancellationToken).ConfigureAwait(false);
        Logger.LogInformation("Instance {InstanceId} of {ApplicationId} starts: zero time {ZeroTime}, batch interval {Interval} ms, input {Topic}", InstanceId, Options.ApplicationId, ZeroTime, Options.BatchInterval.TotalMilliseconds, InputTopic);
        _member = new ConsumerBuilder<byte[], byte[]>(Options.Apply(new ConsumerConfig
        {
            GroupId = Options.ApplicationId,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
            EnableAutoCommit = false,
            SessionTimeoutMs = (int)Options.SessionTimeout.TotalMilliseconds,
            HeartbeatIntervalMs = Math.Max(100, (int)(Options.SessionTimeout.TotalMilliseconds / 5)),
            ClientId = InstanceId,
        }))
            .SetPartitionsAssignedHandler((_, partitions) => Assigned(partitions))
            .SetPartitionsRevokedHandler((_, partitions) => Revoked([.. partitions.Select(p => p.TopicPartition)], lost: false))
            .SetPartitionsLostHandler((_, partitions) => Revoked([.. partitions.Select(p => p.TopicPartition)], lost: true))
            .Build();
        _member.Subscribe(InputTopic);
        _membership = new Thread(Membership) { IsBackground = true, Name = "scale-out membership " + InstanceId };
        _membership.Start();
        _loop = Task.Run(BatchLoopAsync, CancellationToken.None);
    }

    /// <summary>Stops cutting batches, leaves the group (its partitions move to the other instances) and closes every client.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _membership?.Join();
        if (_member is not null)
        {
            _member.Close(); // revokes everything: the tasks close, the group rebalances
            _member.Dispose();
        }

        foreach (var task in _tasks.Values)
        {
            await task.DisposeAsync().ConfigureAwait(false);
        }

        _tasks.Clear();
        _reader?.Dispose();
        _ledgerReader?.Dispose();
        _completion.TrySetResult();
        _stop.Dispose();
    }

    internal T WithLedgerReader<T>(Func<IConsumer<string, string>, T> read)
    {
        lock (_ledgerGate)
        {
            return read(_ledgerReader!);
        }
    }

    internal KafkaRecord<TKey, TValue>[] ReadRange(TopicPartition partition, long from, long until)
    {
        lock (_readerGate)
        {
            var results = KafkaReads.Range(_reader!, partition, from, until, Options.RequestTimeout);
            var records = new KafkaRecord<TKey, TValue>[results.Count];
            for (var i = 0; i < records.Length; i++)
            {
                var r = results[i];
                records[i] = new KafkaRecord<TKey, TValue>(r.Topic, r.Partition.Value, r.Offset.Value, r.Message.Key, r.Message.Value, r.Message.Timestamp, r.Message.Headers is { Count: > 0 } headers ? headers : null);
            }

            return records;
        }
    }

    internal long HighWatermark(TopicPartition partition)
    {
        lock (_readerGate)
        {
            return _reader!.QueryWatermarkOffsets(partition, Options.RequestTimeout).High.Value;
        }
    }

    internal long LowWatermark(TopicPartition partition)
    {
        lock (_readerGate)
        {
            return _reader!.QueryWatermarkOffsets(partition, Options.RequestTimeout).Low.Value;
        }
    }

    internal void BatchCommitted(ScaleOutBatchInfo info)
    {
        foreach (var listener in Options.Listeners)
        {
            listener.OnBatchCommitted(info);
        }
    }

    private static DStream<TOut> NotUsed(DStream<KafkaRecord<TKey, TValue>> records) =>
        throw new InvalidOperationException("A repartitioned application runs its two parts, not one definition.");

    private static ConsumerConfig ReaderConfig() => new()
    {
        GroupId = "unused",
        EnableAutoCommit = false,
        IsolationLevel = IsolationLevel.ReadCommitted,
        EnablePartitionEof = true,
        AutoOffsetReset = AutoOffsetReset.Error,
        FetchWaitMaxMs = 10,
        FetchQueueBackoffMs = 5,
    };

    private void CheckPositionsTopic()
    {
        using var admin = new AdminClientBuilder(Options.Apply(new AdminClientConfig())).Build();
        var metadata = admin.GetMetadata(TimeSpan.FromTicks(Options.RequestTimeout.Ticks));
        var input = metadata.Topics.FirstOrDefault(t => t.Topic == InputTopic && t.Error.Code == ErrorCode.NoError);
        var positions = metadata.Topics.FirstOrDefault(t => t.Topic == Options.PositionsTopic && t.Error.Code == ErrorCode.NoError);
        if (input is null)
        {
            throw new ScaleOutException($"The input topic '{InputTopic}' does not exist; create it (its partition count is the application's unit of scale).");
        }

        if (positions is null || positions.Partitions.Count < input.Partitions.Count)
        {
            throw new ScaleOutException(
                $"The positions topic '{Options.PositionsTopic}' must exist with at least as many partitions as '{InputTopic}' ({input.Partitions.Count}); it has {positions?.Partitions.Count ?? 0}. Create it (and '{Options.ZeroTimeTopic}' with 1 partition) before the first instance starts.");
        }

        var output = metadata.Topics.FirstOrDefault(t => t.Topic == OutputTopic && t.Error.Code == ErrorCode.NoError);
        if (output is null || output.Partitions.Count == 0)
        {
            throw new ScaleOutException($"The output topic '{OutputTopic}' does not exist; create it before the first instance starts (a takeover reads it to complete a batch its previous owner left unfinished).");
        }

        OutputPartitions = output.Partitions.Count;
        InputPartitions = input.Partitions.Count;
        if (Keyed is not null)
        {
            var repartition = metadata.Topics.FirstOrDefault(t => t.Topic == RepartitionTopic && t.Error.Code == ErrorCode.NoError);
            if (repartition is null || repartition.Partitions.Count != input.Partitions.Count)
            {
                throw new ScaleOutException($"The repartition topic '{RepartitionTopic}' must exist with as many partitions as '{InputTopic}' ({input.Partitions.Count}); it has {repartition?.Partitions.Count ?? 0}. Create it before the first instance starts.");
            }

            RepartitionPartitions = repartition.Partitions.Count;
        }
    }

    private void Membership()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                _member!.Consume(TimeSpan.FromMilliseconds(100)); // drives heartbeats and rebalance callbacks; the data is read by the tasks
                var assignment = _member.Assignment;
                if (assignment.Count > 0)
                {
                    _member.Pause(assignment);
                }
            }
            catch (ConsumeException error)
            {
                Logger.LogWarning("Instance {InstanceId}: group membership poll failed: {Reason}", InstanceId, error.Error.Reason);
            }
        }
    }

    private void Assigned(List<TopicPartition> partitions)
    {
        foreach (var p in partitions)
        {
            _owned[p] = true;
            _fenced.TryRemove(p, out _);
        }

        var owned = OwnedPartitions;
        Logger.LogInformation("Instance {InstanceId} assigned {Partitions}; owns {Owned}", InstanceId, Format(partitions), Format(owned));
        foreach (var listener in Options.Listeners)
        {
            listener.OnPartitionsAssigned(InstanceId, partitions, owned);
        }
    }

    private void Revoked(List<TopicPartition> partitions, bool lost)
    {
        foreach (var p in partitions)
        {
            _owned.TryRemove(p, out _);
        }

        // Wait for the batch in progress: the loop checks ownership between two batches, so the partition is idle
        // once the lock is ours; close its task so the next owner's InitTransactions finds nothing open.
        _work.Wait();
        try
        {
            foreach (var p in partitions)
            {
                if (_tasks.Remove(p, out var task))
                {
                    task.DisposeAsync().AsTask().Wait(Options.RequestTimeout);
                }
            }
        }
        finally
        {
            _work.Release();
        }

        var owned = OwnedPartitions;
        Logger.LogInformation("Instance {InstanceId} {How} {Partitions}; owns {Owned}", InstanceId, lost ? "lost" : "gave up", Format(partitions), Format(owned));
        foreach (var listener in Options.Listeners)
        {
            listener.OnPartitionsRevoked(InstanceId, partitions, lost, owned);
        }
    }

    private async Task BatchLoopAsync()
    {
        var interval = Options.BatchInterval;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var now = BatchTime.FromDateTimeOffset(TimeProvider.System.GetUtcNow());
                var k = (now - ZeroTime).Ticks / interval.Ticks;
                var batch = ZeroTime + TimeSpan.FromTicks(interval.Ticks * k);
                var next = batch + interval;
                var wait = next - now;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _stop.Token).ConfigureAwait(false);
                }

                RunOwned(next);
            }

            _completion.TrySetResult();
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            _completion.TrySetResult();
        }
        catch (Exception error)
        {
            Logger.LogError(error, "Instance {InstanceId} stops: {Message}", InstanceId, error.Message);
            _completion.TrySetException(error);
        }
    }

    private void RunOwned(BatchTime time)
    {
        foreach (var partition in OwnedPartitions)
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            if (_fenced.ContainsKey(partition))
            {
                continue;
            }

            _work.Wait();
            try
            {
                if (!_owned.ContainsKey(partition))
                {
                    continue;
                }

                if (!_tasks.TryGetValue(partition, out var task))
                {
                    task = Keyed is null ? PartitionTask<TKey, TValue, TOut>.Open(this, partition) : RepartitionedTask<TKey, TValue, TOut>.Open(this, partition);
                    _tasks[partition] = task;
                }

                task.RunUntil(time, () => _stop.IsCancellationRequested || !_owned.ContainsKey(partition));
                _failures.Remove(partition);
            }
            catch (PartitionFencedException fenced)
            {
                Logger.LogWarning("Instance {InstanceId}: {Message}", InstanceId, fenced.Message);
                _fenced[partition] = true;
                Close(partition);
            }
            catch (Exception error) when (error is KafkaException or ScaleOutException)
            {
                Close(partition);
                var attempts = _failures[partition] = _failures.GetValueOrDefault(partition) + 1;
                if (attempts >= MaxAttempts)
                {
                    throw new ScaleOutException($"Partition {partition} failed {attempts} times in a row on instance {InstanceId}: {error.Message}", error);
                }

                Logger.LogWarning("Instance {InstanceId}: {Partition} failed ({Message}); it is taken over again from its committed position", InstanceId, partition, error.Message);
            }
            finally
            {
                _work.Release();
            }
        }
    }

    private void Close(TopicPartition partition)
    {
        if (_tasks.Remove(partition, out var task))
        {
            task.DisposeAsync().AsTask().Wait(Options.RequestTimeout);
        }
    }

    private static string Format(IEnumerable<TopicPartition> partitions) => "[" + string.Join(", ", partitions.Select(p => $"{p.Topic}-{p.Partition.Value}")) + "]";

    private sealed class TopicPartitionEquality : IEqualityComparer<TopicPartition>
    {
        public static readonly TopicPartitionEquality Instance = new();

        public bool Equals(TopicPartition? x, TopicPartition? y) => x?.Topic == y?.Topic && x?.Partition.Value == y?.Partition.Value;

        public int GetHashCode(TopicPartition obj) => HashCode.Combine(obj.Topic, obj.Partition.Value);
    }
}
