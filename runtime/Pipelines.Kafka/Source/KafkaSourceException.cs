using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>
/// A Kafka direct stream cannot go on without losing or inventing records: an offset out of range with no reset
/// policy, a record whose key or value cannot be deserialized, a range that cannot be read whole, brokers
/// unreachable for too long. The message names the topic, partition and offset, and what to do.
/// </summary>
public sealed class KafkaSourceException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KafkaSourceException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public KafkaSourceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for one partition (and offset, when known).</summary>
    public KafkaSourceException(string message, TopicPartition? partition, long? offset, Exception? innerException = null)
        : base(message, innerException)
    {
        Partition = partition;
        Offset = offset;
    }

    /// <summary>The partition concerned, when there is one.</summary>
    public TopicPartition? Partition { get; }

    /// <summary>The offset concerned, when there is one.</summary>
    public long? Offset { get; }
}
