using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>Exactly-once output to Kafka.</summary>
public static class KafkaSinks
{
    /// <summary>
    /// Writes each batch of <paramref name="stream"/> to <paramref name="topic"/> in one Kafka transaction
    /// (idempotent producer, <c>ProducerConfig.TransactionalId</c>), together with a progress record for the batch
    /// time in the same transaction. A restarted sink fences its previous producer (aborting any open transaction) and
    /// reads its progress records: a batch replayed after recovery that had committed is skipped, one that had not is
    /// written whole. With a checkpointed, replayable input (e.g. a Kafka direct stream), <c>read_committed</c>
    /// consumers of <paramref name="topic"/> see every batch exactly once. Empty batches write nothing.
    /// </summary>
    /// <param name="stream">The stream to write.</param>
    /// <param name="config">
    /// The producer settings: <c>BootstrapServers</c> and a <c>TransactionalId</c> that stays the same across restarts
    /// of this application (and differs between concurrently running instances). Idempotence is turned on.
    /// </param>
    /// <param name="topic">The output topic.</param>
    /// <param name="toRecord">Makes a record's key and value.</param>
    /// <param name="options">The progress topic, the sink's name and timeouts.</param>
    /// <param name="keySerializer">The key serializer; Confluent.Kafka's default for <typeparamref name="TKey"/> when null.</param>
    /// <param name="valueSerializer">The value serializer; Confluent.Kafka's default for <typeparamref name="TValue"/> when null.</param>
    /// <returns>The sink; dispose it after the context stopped to close its producer.</returns>
    /// <exception cref="ArgumentException"><c>TransactionalId</c> or <c>BootstrapServers</c> is not set.</exception>
    /// <example>
    /// <code>
    /// await using var sink = counts.SaveToKafka(
    ///     new ProducerConfig { BootstrapServers = "localhost:9092", TransactionalId = "wordcount-out" },
    ///     "counts",
    ///     pair =&gt; (pair.Word, pair.Count.ToString()));
    /// </code>
    /// </example>
    public static KafkaSink SaveToKafka<T, TKey, TValue>(
        this DStream<T> stream,
        ProducerConfig config,
        string topic,
        Func<T, (TKey Key, TValue Value)> toRecord,
        KafkaSinkOptions? options = null,
        ISerializer<TKey>? keySerializer = null,
        ISerializer<TValue>? valueSerializer = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentNullException.ThrowIfNull(toRecord);
        if (string.IsNullOrWhiteSpace(config.TransactionalId))
        {
            throw new ArgumentException("SaveToKafka writes each batch in a transaction: set ProducerConfig.TransactionalId to an id that stays the same when this application restarts (and differs between instances running at once).", nameof(config));
        }

        if (string.IsNullOrWhiteSpace(config.BootstrapServers))
        {
            throw new ArgumentException("Set ProducerConfig.BootstrapServers (host:port of one or more brokers).", nameof(config));
        }

        var sink = new KafkaTransactionalSink<T, TKey, TValue>(config, topic, toRecord, options ?? new KafkaSinkOptions(), keySerializer, valueSerializer, stream.Context.Options.LoggerFactory);
        stream.ForEachBatch(sink.WriteAsync);
        return sink;
    }
}
