using System.Text.Json.Serialization;

namespace Pipelines.Kafka;

/// <summary>Where a direct stream continues: the next offset of each partition it reads.</summary>
/// <param name="Resolved">Whether the starting offsets were resolved (false before the brokers were first reached).</param>
/// <param name="Offsets">The next offset of each known partition, by topic and partition.</param>
internal sealed record KafkaPosition(bool Resolved, PartitionOffset[] Offsets);

/// <summary>One partition's next offset.</summary>
internal readonly record struct PartitionOffset(string Topic, int Partition, long Offset);

/// <summary>The JSON contracts of the journaled ranges and checkpointed positions (source-generated, no reflection).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(OffsetRange[]))]
[JsonSerializable(typeof(KafkaPosition))]
internal sealed partial class KafkaJson : JsonSerializerContext
{
}
