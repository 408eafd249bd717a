using Confluent.Kafka;

namespace Pipelines.ScaleOut;

/// <summary>
/// Told what one instance of a scaled-out application owns and commits. Called on the instance's own threads: keep
/// the work short. Every method has an empty default, so implement only what you need.
/// </summary>
public interface IScaleOutListener
{
    /// <summary>The group gave <paramref name="partitions"/> to the instance <paramref name="instanceId"/>.</summary>
    /// <param name="instanceId">The instance.</param>
    /// <param name="partitions">The partitions added (cooperative rebalancing: only the new ones).</param>
    /// <param name="owned">Everything the instance owns now.</param>
    void OnPartitionsAssigned(string instanceId, IReadOnlyList<TopicPartition> partitions, IReadOnlyList<TopicPartition> owned)
    {
    }

    /// <summary>The instance gave up <paramref name="partitions"/>: revoked by a rebalance, or lost (its session expired).</summary>
    /// <param name="instanceId">The instance.</param>
    /// <param name="partitions">The partitions removed.</param>
    /// <param name="lost"><c>true</c> when they were lost (another instance may already process them; this one was fenced or will be).</param>
    /// <param name="owned">Everything the instance still owns.</param>
    void OnPartitionsRevoked(string instanceId, IReadOnlyList<TopicPartition> partitions, bool lost, IReadOnlyList<TopicPartition> owned)
    {
    }

    /// <summary>A partition's batch committed (its outputs and position in one transaction).</summary>
    /// <param name="batch">What committed.</param>
    void OnBatchCommitted(ScaleOutBatchInfo batch)
    {
    }
}

/// <summary>One committed batch of one input partition on one instance.</summary>
/// <param name="InstanceId">The instance that committed it.</param>
/// <param name="Partition">The input partition.</param>
/// <param name="Time">The batch time (aligned on every instance).</param>
/// <param name="FromOffset">The first offset of the batch's range.</param>
/// <param name="UntilOffset">The offset after the range.</param>
/// <param name="OutputRecords">How many records the batch wrote to the output topic.</param>
public sealed record ScaleOutBatchInfo(string InstanceId, TopicPartition Partition, BatchTime Time, long FromOffset, long UntilOffset, int OutputRecords);
