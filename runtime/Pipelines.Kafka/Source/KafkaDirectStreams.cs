using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>
/// Kafka direct streams (Spark's <c>KafkaUtils.createDirectStream</c>): no receiver; at each batch time the driver
/// decides one offset range per partition and the batch reads exactly those ranges, one batch partition per Kafka
/// partition. With a checkpoint folder, the ranges are journaled before each batch is queued and the positions are
/// saved in checkpoints, so a batch replayed after a crash reads exactly the same records.
/// </summary>
public static class KafkaDirectStreams
{
    private static readonly ConditionalWeakTable<DStream, IKafkaDirectInput> Inputs = [];

    /// <summary>
    /// A direct stream over every partition of <paramref name="topics"/> (Spark's <c>ConsumerStrategies.Subscribe</c>),
    /// including partitions added later (they are read from their beginning).
    /// </summary>
    /// <param name="context">The streaming context.</param>
    /// <param name="config">
    /// The consumer settings: <c>BootstrapServers</c>; <c>GroupId</c> to start from the group's committed offsets and
    /// to use <see cref="CommitAsync{TKey, TValue}"/>; <c>AutoOffsetReset</c> for partitions without a committed offset
    /// and for offsets out of range (Earliest, Latest, or Error to stop with a <see cref="KafkaSourceException"/>;
    /// librdkafka's default is Latest); <c>IsolationLevel</c> (default read_committed).
    /// </param>
    /// <param name="topics">The topics.</param>
    /// <param name="options">Rate limits and timeouts.</param>
    /// <param name="keyDeserializer">The key deserializer; Confluent.Kafka's default for <typeparamref name="TKey"/> when null.</param>
    /// <param name="valueDeserializer">The value deserializer; Confluent.Kafka's default for <typeparamref name="TValue"/> when null.</param>
    /// <example>
    /// <code>
    /// var records = ssc.KafkaDirectStream&lt;string, string&gt;(
    ///     new ConsumerConfig { BootstrapServers = "localhost:9092", GroupId = "wordcount", AutoOffsetReset = AutoOffsetReset.Earliest },
    ///     ["lines"]);
    /// records.ForEachBatch(async (batch, time, ct) =&gt;
    /// {
    ///     var ranges = records.OffsetRanges(time);
    ///     // ... write the batch's results ...
    ///     await records.CommitAsync(ranges, ct);
    /// });
    /// </code>
    /// </example>
    public static DStream<KafkaRecord<TKey, TValue>> KafkaDirectStream<TKey, TValue>(
        this StreamingContext context,
        ConsumerConfig config,
        IEnumerable<string> topics,
        KafkaDirectStreamOptions? options = null,
        IDeserializer<TKey>? keyDeserializer = null,
        IDeserializer<TValue>? valueDeserializer = null)
    {
        ArgumentNullException.ThrowIfNull(topics);
        var names = topics.ToArray();
        if (names.Length == 0 || names.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("Name at least one topic, and no empty topic names.", nameof(topics));
        }

        return Create(context, config, new KafkaSubscription.Topics(names), options, keyDeserializer, valueDeserializer);
    }

    /// <summary>
    /// A direct stream over every partition of every topic whose whole name matches <paramref name="pattern"/>
    /// (Spark's <c>ConsumerStrategies.SubscribePattern</c>), including topics and partitions created later (read from
    /// their beginning). Topics are found from the cluster's metadata at each batch.
    /// </summary>
    /// <param name="context">The streaming context.</param>
    /// <param name="config">The consumer settings (see the topics overload).</param>
    /// <param name="pattern">The pattern a topic's whole name must match.</param>
    /// <param name="options">Rate limits and timeouts.</param>
    /// <param name="keyDeserializer">The key deserializer; Confluent.Kafka's default when null.</param>
    /// <param name="valueDeserializer">The value deserializer; Confluent.Kafka's default when null.</param>
    public static DStream<KafkaRecord<TKey, TValue>> KafkaDirectStream<TKey, TValue>(
        this StreamingContext context,
        ConsumerConfig config,
        Regex pattern,
        KafkaDirectStreamOptions? options = null,
        IDeserializer<TKey>? keyDeserializer = null,
        IDeserializer<TValue>? valueDeserializer = null)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        return Create(context, config, new KafkaSubscription.Pattern(pattern), options, keyDeserializer, valueDeserializer);
    }

    /// <summary>
    /// A direct stream over exactly the partitions of <paramref name="assignment"/>, starting at their offsets (Spark's
    /// <c>ConsumerStrategies.Assign</c>). <c>Offset.Beginning</c> and <c>Offset.End</c> start at the partition's first or
    /// next offset; <c>Offset.Unset</c> at the group's committed offset, else as <c>AutoOffsetReset</c> says. Starting
    /// offsets apply to a fresh start; a recovered context continues from its checkpoint.
    /// </summary>
    /// <param name="context">The streaming context.</param>
    /// <param name="config">The consumer settings (see the topics overload).</param>
    /// <param name="assignment">The partitions and their starting offsets.</param>
    /// <param name="options">Rate limits and timeouts.</param>
    /// <param name="keyDeserializer">The key deserializer; Confluent.Kafka's default when null.</param>
    /// <param name="valueDeserializer">The value deserializer; Confluent.Kafka's default when null.</param>
    public static DStream<KafkaRecord<TKey, TValue>> KafkaDirectStream<TKey, TValue>(
        this StreamingContext context,
        ConsumerConfig config,
        IEnumerable<TopicPartitionOffset> assignment,
        KafkaDirectStreamOptions? options = null,
        IDeserializer<TKey>? keyDeserializer = null,
        IDeserializer<TValue>? valueDeserializer = null)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        var partitions = assignment.ToArray();
        if (partitions.Length == 0)
        {
            throw new ArgumentException("Assign at least one partition.", nameof(assignment));
        }

        return Create(context, config, new KafkaSubscription.Assign(partitions), options, keyDeserializer, valueDeserializer);
    }

    /// <summary>
    /// The offset ranges of the batch at <paramref name="time"/> of a direct stream, one per partition, in batch
    /// partition order (Spark's <c>HasOffsetRanges.offsetRanges</c>); available while the stream remembers the batch,
    /// e.g. inside <c>ForEachBatch</c>. Empty when the batch has no ranges.
    /// </summary>
    /// <param name="stream">A stream returned by <c>KafkaDirectStream</c> (not a stream derived from it).</param>
    /// <param name="time">The batch time.</param>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not a Kafka direct stream.</exception>
    public static IReadOnlyList<OffsetRange> OffsetRanges<TKey, TValue>(this DStream<KafkaRecord<TKey, TValue>> stream, BatchTime time) =>
        InputOf(stream).OffsetRangesAt(time);

    /// <summary>
    /// Commits the ends of <paramref name="ranges"/> to the stream's consumer group (Spark's
    /// <c>CanCommitOffsets.commitAsync</c>), e.g. after a batch's output is stored, so that tools that watch the group's
    /// lag see progress and a fresh start (without checkpoint) resumes there. Checkpoints do not depend on it.
    /// </summary>
    /// <param name="stream">A stream returned by <c>KafkaDirectStream</c>.</param>
    /// <param name="ranges">The ranges whose ends to commit (per partition, the highest end counts).</param>
    /// <param name="cancellationToken">Cancels waiting for the commit.</param>
    /// <exception cref="InvalidOperationException">The stream's config has no <c>GroupId</c>.</exception>
    public static Task CommitAsync<TKey, TValue>(this DStream<KafkaRecord<TKey, TValue>> stream, IEnumerable<OffsetRange> ranges, CancellationToken cancellationToken = default) =>
        InputOf(stream).CommitAsync(ranges, cancellationToken);

    private static DStream<KafkaRecord<TKey, TValue>> Create<TKey, TValue>(
        StreamingContext context,
        ConsumerConfig config,
        KafkaSubscription subscription,
        KafkaDirectStreamOptions? options,
        IDeserializer<TKey>? keyDeserializer,
        IDeserializer<TValue>? valueDeserializer)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(config);
        if (string.IsNullOrWhiteSpace(config.BootstrapServers))
        {
            throw new ArgumentException("Set ConsumerConfig.BootstrapServers (host:port of one or more brokers).", nameof(config));
        }

        options ??= new KafkaDirectStreamOptions();
        options.Validate();
        var input = new KafkaDirectInput<TKey, TValue>(config, subscription, options, keyDeserializer, valueDeserializer, context.Options.LoggerFactory);
        var stream = context.DirectStream(input, "KafkaDirectStream");
        Inputs.AddOrUpdate(stream, input);
        return stream;
    }

    private static IKafkaDirectInput InputOf(DStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Inputs.TryGetValue(stream, out var input)
            ? input
            : throw new ArgumentException(
                "This stream is not a Kafka direct stream: call OffsetRanges and CommitAsync on the stream KafkaDirectStream returned, not on one derived from it (as Spark's HasOffsetRanges works only on the direct stream's own RDDs).",
                nameof(stream));
    }
}
