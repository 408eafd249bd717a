using System.Diagnostics;
using Confluent.Kafka;

namespace Pipelines.ScaleOut;

/// <summary>Reads an exact offset range of one partition (transaction markers and aborted records skipped).</summary>
internal static class KafkaReads
{
    private static readonly TimeSpan PollStep = TimeSpan.FromMilliseconds(100);

    /// <summary>Reads <c>[from, until)</c> of <paramref name="partition"/>; the consumer must have <c>enable.partition.eof</c>.</summary>
    public static List<ConsumeResult<TKey, TValue>> Range<TKey, TValue>(IConsumer<TKey, TValue> consumer, TopicPartition partition, long from, long until, TimeSpan timeout)
    {
        var records = new List<ConsumeResult<TKey, TValue>>((int)Math.Min(until - from, 1 << 16));
        if (until <= from)
        {
            return records;
        }

        consumer.Assign(new TopicPartitionOffset(partition, new Offset(from)));
        try
        {
            var started = Stopwatch.GetTimestamp();
            while (true)
            {
                if (Stopwatch.GetElapsedTime(started) > timeout)
                {
                    throw new ScaleOutException($"The records [{from}, {until}) of {partition} could not be read within {timeout.TotalSeconds:0} s (brokers unreachable, or the records were deleted by retention).");
                }

                var result = consumer.Consume(PollStep);
                if (result is null)
                {
                    continue;
                }

                if (result.IsPartitionEOF)
                {
                    if (result.Offset.Value >= until)
                    {
                        return records; // the rest of the range is transaction markers
                    }

                    continue;
                }

                var offset = result.Offset.Value;
                if (offset >= until)
                {
                    return records;
                }

                if (offset >= from)
                {
                    records.Add(result);
                }

                if (offset >= until - 1)
                {
                    return records;
                }
            }
        }
        finally
        {
            consumer.Unassign();
        }
    }
}
