using System.Diagnostics;
using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>Reads exactly a batch's offset ranges, one batch partition per range, in the ranges' order.</summary>
internal static class KafkaRangeReader
{
    private static readonly TimeSpan PollStep = TimeSpan.FromMilliseconds(100);

    public static Batch<KafkaRecord<TKey, TValue>> Read<TKey, TValue>(
        IConsumer<TKey, TValue> consumer,
        OffsetRange[] ranges,
        TimeSpan timeout,
        string source,
        CancellationToken cancellationToken)
    {
        var buffers = new List<KafkaRecord<TKey, TValue>>?[ranges.Length];
        var pending = new Dictionary<TopicPartition, int>(TopicPartitionComparer.Instance);
        var assignment = new List<TopicPartitionOffset>();
        long total = 0;
        for (var i = 0; i < ranges.Length; i++)
        {
            if (ranges[i].Count > 0)
            {
                pending[ranges[i].TopicPartition] = i;
                assignment.Add(new TopicPartitionOffset(ranges[i].TopicPartition, new Offset(ranges[i].FromOffset)));
                buffers[i] = new List<KafkaRecord<TKey, TValue>>((int)Math.Min(ranges[i].Count, 1 << 16));
                total += ranges[i].Count;
            }
        }

        if (pending.Count > 0)
        {
            consumer.Assign(assignment);
            try
            {
                Fill(consumer, ranges, buffers, pending, timeout, source, cancellationToken);
            }
            finally
            {
                consumer.Unassign();
            }
        }

        var builder = new BatchBuilder<KafkaRecord<TKey, TValue>>((int)Math.Min(total, int.MaxValue));
        for (var i = 0; i < ranges.Length; i++)
        {
            if (buffers[i] is { } records)
            {
                builder.AddRange(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(records));
            }

            builder.EndPartition();
        }

        return builder.ToBatch();
    }

    private static void Fill<TKey, TValue>(
        IConsumer<TKey, TValue> consumer,
        OffsetRange[] ranges,
        List<KafkaRecord<TKey, TValue>>?[] buffers,
        Dictionary<TopicPartition, int> pending,
        TimeSpan timeout,
        string source,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Stopwatch.GetElapsedTime(started) > timeout)
            {
                var missing = string.Join(", ", pending.Values.Select(i => ranges[i].ToString()));
                throw new KafkaSourceException(
                    $"Kafka direct stream ({source}): the records of {missing} could not be read within {timeout.TotalSeconds:0} s (brokers unreachable, or the records were deleted). The context stops without checkpointing past this batch; restart it from its checkpoint to read the same ranges again.");
            }

            ConsumeResult<TKey, TValue>? result;
            try
            {
                result = consumer.Consume(PollStep);
            }
            catch (ConsumeException error) when (error.Error.Code is ErrorCode.Local_KeyDeserialization or ErrorCode.Local_ValueDeserialization)
            {
                var at = error.ConsumerRecord?.TopicPartitionOffset;
                throw new KafkaSourceException(
                    $"Kafka direct stream ({source}): the {(error.Error.Code == ErrorCode.Local_KeyDeserialization ? "key" : "value")} of the record at {at} cannot be deserialized: {error.InnerException?.Message ?? error.Error.Reason}. No record is skipped silently: fix the deserializer (or make it map bad input to a value your pipeline handles) and restart from the checkpoint.",
                    at?.TopicPartition,
                    at?.Offset.Value,
                    error);
            }
            catch (ConsumeException error) when (error.Error.Code is ErrorCode.Local_AutoOffsetReset or ErrorCode.OffsetOutOfRange)
            {
                var at = error.ConsumerRecord?.TopicPartitionOffset;
                throw new KafkaSourceException(
                    $"Kafka direct stream ({source}): a journaled range cannot be read again, its offsets are out of range at {at} ({error.Error.Reason}): the records were deleted (retention) since the batch was decided. The batch cannot be reproduced; restart with a fresh checkpoint to go on without it.",
                    at?.TopicPartition,
                    at?.Offset.Value,
                    error);
            }

            if (result is null)
            {
                continue;
            }

            if (!pending.TryGetValue(result.TopicPartition, out var index))
            {
                continue; // a message of a partition already complete
            }

            var range = ranges[index];
            if (result.IsPartitionEOF)
            {
                if (result.Offset.Value >= range.UntilOffset)
                {
                    pending.Remove(result.TopicPartition); // the rest of the range is transaction markers or compacted away
                }

                continue;
            }

            var offset = result.Offset.Value;
            if (offset >= range.UntilOffset)
            {
                pending.Remove(result.TopicPartition);
                continue;
            }

            if (offset >= range.FromOffset)
            {
                var message = result.Message;
                buffers[index]!.Add(new KafkaRecord<TKey, TValue>(result.Topic, result.Partition.Value, offset, message.Key, message.Value, message.Timestamp, message.Headers is { Count: > 0 } headers ? headers : null));
            }

            if (offset >= range.UntilOffset - 1)
            {
                pending.Remove(result.TopicPartition);
            }
        }
    }
}
