using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>
/// One record read by a Kafka direct stream (Spark's <c>ConsumerRecord</c>): where it came from, its key and value
/// (as the stream's deserializers made them), its timestamp and its headers.
/// </summary>
/// <typeparam name="TKey">The type of the key.</typeparam>
/// <typeparam name="TValue">The type of the value.</typeparam>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition within the topic.</param>
/// <param name="Offset">The record's offset within its partition.</param>
/// <param name="Key">The key.</param>
/// <param name="Value">The value.</param>
/// <param name="Timestamp">The record's timestamp and its type (create time or log append time).</param>
/// <param name="Headers">The record's headers, or <c>null</c> when it has none.</param>
public readonly record struct KafkaRecord<TKey, TValue>(
    string Topic,
    int Partition,
    long Offset,
    TKey Key,
    TValue Value,
    Timestamp Timestamp,
    Headers? Headers);
