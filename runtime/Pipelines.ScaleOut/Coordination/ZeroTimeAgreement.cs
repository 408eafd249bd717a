using System.Globalization;
using Confluent.Kafka;

namespace Pipelines.ScaleOut;

/// <summary>
/// The agreed zero time: the first record of the single-partition topic <c>&lt;application&gt;-zero</c>. An instance
/// that finds the topic empty proposes its own start (rounded down to the batch interval); whichever proposal the log
/// holds first is the zero time of every instance, now and after restarts.
/// </summary>
internal static class ZeroTimeAgreement
{
    public static BatchTime Agree(ScaleOutOptions options, TimeProvider time, IConsumer<string, string> reader)
    {
        var partition = new TopicPartition(options.ZeroTimeTopic, 0);
        if (First(reader, partition, options.RequestTimeout) is { } agreed)
        {
            return agreed;
        }

        var interval = (long)options.BatchInterval.TotalMilliseconds;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var proposal = now / interval * interval;
        using (var producer = new ProducerBuilder<string?, string>(options.Apply(new ProducerConfig { EnableIdempotence = true })).Build())
        {
            producer.Produce(partition, new Message<string?, string> { Key = options.InstanceId, Value = proposal.ToString(CultureInfo.InvariantCulture) });
            if (producer.Flush(options.RequestTimeout) > 0)
            {
                throw new ScaleOutException($"The zero-time proposal could not be written to '{options.ZeroTimeTopic}' within {options.RequestTimeout.TotalSeconds:0} s; check that the brokers are reachable and the topic exists (1 partition).");
            }
        }

        return First(reader, partition, options.RequestTimeout)
            ?? throw new ScaleOutException($"The zero-time topic '{options.ZeroTimeTopic}' is still empty after this instance wrote its proposal; check its retention (it must keep its first record).");
    }

    private static BatchTime? First(IConsumer<string, string> reader, TopicPartition partition, TimeSpan timeout)
    {
        WatermarkOffsets marks;
        try
        {
            marks = reader.QueryWatermarkOffsets(partition, timeout);
        }
        catch (KafkaException error) when (error.Error.Code is ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownPartition or ErrorCode.Local_UnknownTopic)
        {
            return null;
        }

        if (marks.High.Value <= marks.Low.Value)
        {
            return null;
        }

        var first = KafkaReads.Range(reader, partition, marks.Low.Value, marks.Low.Value + 1, timeout);
        return first.Count == 0 ? null : new BatchTime(long.Parse(first[0].Message.Value, CultureInfo.InvariantCulture));
    }
}
