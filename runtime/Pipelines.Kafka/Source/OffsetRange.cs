using System.Text.Json.Serialization;
using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>
/// The records of one Kafka partition in one batch (Spark's <c>OffsetRange</c>): offsets
/// <see cref="FromOffset"/> (inclusive) to <see cref="UntilOffset"/> (exclusive).
/// </summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition.</param>
/// <param name="FromOffset">The first offset of the range.</param>
/// <param name="UntilOffset">The offset after the last one of the range (the next batch starts here).</param>
public readonly record struct OffsetRange(string Topic, int Partition, long FromOffset, long UntilOffset)
{
    /// <summary>The number of offsets in the range (records, unless some are transaction markers or were compacted away).</summary>
    [JsonIgnore]
    public long Count => UntilOffset - FromOffset;

    /// <summary>The range's topic and partition.</summary>
    [JsonIgnore]
    public TopicPartition TopicPartition => new(Topic, Partition);

    /// <summary>The range as <c>topic-partition [from, until)</c>.</summary>
    public override string ToString() => $"{Topic}-{Partition} [{FromOffset}, {UntilOffset})";
}
