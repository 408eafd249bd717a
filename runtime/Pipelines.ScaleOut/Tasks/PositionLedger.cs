using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace Pipelines.ScaleOut;

/// <summary>
/// One committed batch of one input partition, as recorded in the positions topic: batch time, offset range, and the
/// output floors (per output partition, an offset no later output of this input partition is below), from which a new
/// owner reads the output topic to find a batch left unfinished after this one.
/// </summary>
internal sealed record LedgerEntry(BatchTime Time, long From, long Until, IReadOnlyDictionary<int, long> Floors)
{
    public string Format()
    {
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"{Time.Milliseconds} {From} {Until} "));
        var first = true;
        foreach (var (partition, floor) in Floors.OrderBy(f => f.Key))
        {
            text.Append(CultureInfo.InvariantCulture, $"{(first ? string.Empty : ",")}{partition}:{floor}");
            first = false;
        }

        return text.ToString();
    }

    public static LedgerEntry Parse(string value)
    {
        var parts = value.Split(' ');
        var floors = new Dictionary<int, long>();
        if (parts.Length > 3)
        {
            foreach (var pair in parts[3].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var colon = pair.IndexOf(':', StringComparison.Ordinal);
                floors[int.Parse(pair.AsSpan(0, colon), CultureInfo.InvariantCulture)] = long.Parse(pair.AsSpan(colon + 1), CultureInfo.InvariantCulture);
            }
        }

        return new LedgerEntry(
            new BatchTime(long.Parse(parts[0], CultureInfo.InvariantCulture)),
            long.Parse(parts[1], CultureInfo.InvariantCulture),
            long.Parse(parts[2], CultureInfo.InvariantCulture),
            floors);
    }
}

/// <summary>
/// The positions topic: partition p holds, for input partition p, one record per committed batch (batch time and
/// offset range), written in the batch's transaction. Only the owner of p (transactional id per partition) writes to
/// partition p, so once its <c>InitTransactions</c> returned nothing is pending there and the committed log is complete.
/// </summary>
internal static class PositionLedger
{
    public static string Key(TopicPartition input) => input.Topic + "/" + input.Partition.Value.ToString(CultureInfo.InvariantCulture);

    public static List<LedgerEntry> Read(IConsumer<string, string> consumer, string positionsTopic, TopicPartition input, TimeSpan timeout)
    {
        var partition = new TopicPartition(positionsTopic, input.Partition);
        var high = consumer.QueryWatermarkOffsets(partition, timeout).High.Value;
        var entries = new List<LedgerEntry>();
        if (high <= 0)
        {
            return entries;
        }

        var key = Key(input);
        foreach (var record in KafkaReads.Range(consumer, partition, 0, high, timeout))
        {
            if (record.Message.Key == key)
            {
                entries.Add(LedgerEntry.Parse(record.Message.Value));
            }
        }

        entries.Sort((a, b) => a.Time.CompareTo(b.Time));
        return entries;
    }
}
