using System.Text.RegularExpressions;
using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>Which partitions a direct stream reads (Spark's <c>ConsumerStrategies</c>).</summary>
internal abstract class KafkaSubscription
{
    /// <summary>A stable description, saved with the checkpointed position.</summary>
    public abstract string Identity { get; }

    /// <summary>Explicit starting offsets (Assign), or null to start from the group's committed offsets or the reset policy.</summary>
    public virtual IReadOnlyDictionary<TopicPartition, Offset>? StartingOffsets => null;

    /// <summary>The partitions to read now, from the cluster's metadata; throws <see cref="KafkaException"/> when the brokers cannot be reached.</summary>
    public abstract IReadOnlyList<TopicPartition> Discover(IAdminClient admin, TimeSpan timeout);

    protected static IEnumerable<TopicPartition> PartitionsOf(TopicMetadata topic) =>
        topic.Error.Code == ErrorCode.NoError
            ? topic.Partitions.Select(p => new TopicPartition(topic.Topic, p.PartitionId))
            : [];

    /// <summary>Spark's <c>Subscribe</c>: every partition of the named topics, including partitions added later.</summary>
    public sealed class Topics(IReadOnlyList<string> topics) : KafkaSubscription
    {
        public override string Identity => "kafka:topics=" + string.Join(',', topics.Order(StringComparer.Ordinal));

        public override IReadOnlyList<TopicPartition> Discover(IAdminClient admin, TimeSpan timeout)
        {
            var metadata = admin.GetMetadata(timeout);
            var byName = metadata.Topics.ToDictionary(t => t.Topic, StringComparer.Ordinal);
            var result = new List<TopicPartition>();
            foreach (var name in topics)
            {
                if (byName.TryGetValue(name, out var topic))
                {
                    result.AddRange(PartitionsOf(topic));
                }
            }

            return result;
        }
    }

    /// <summary>Spark's <c>SubscribePattern</c>: every partition of every topic whose whole name matches, including topics created later.</summary>
    public sealed class Pattern(Regex pattern) : KafkaSubscription
    {
        public override string Identity => "kafka:pattern=" + pattern;

        public override IReadOnlyList<TopicPartition> Discover(IAdminClient admin, TimeSpan timeout)
        {
            var metadata = admin.GetMetadata(timeout);
            var result = new List<TopicPartition>();
            foreach (var topic in metadata.Topics)
            {
                var match = pattern.Match(topic.Topic);
                if (match.Success && match.Index == 0 && match.Length == topic.Topic.Length)
                {
                    result.AddRange(PartitionsOf(topic));
                }
            }

            return result;
        }
    }

    /// <summary>Spark's <c>Assign</c>: exactly these partitions, from these offsets.</summary>
    public sealed class Assign(IReadOnlyList<TopicPartitionOffset> assignment) : KafkaSubscription
    {
        private readonly Dictionary<TopicPartition, Offset> _starts = assignment.ToDictionary(a => a.TopicPartition, a => a.Offset);

        public override string Identity =>
            "kafka:assign=" + string.Join(',', assignment.Select(a => $"{a.Topic}-{a.Partition.Value}").Order(StringComparer.Ordinal));

        public override IReadOnlyDictionary<TopicPartition, Offset>? StartingOffsets => _starts;

        public override IReadOnlyList<TopicPartition> Discover(IAdminClient admin, TimeSpan timeout) => [.. _starts.Keys];
    }
}
