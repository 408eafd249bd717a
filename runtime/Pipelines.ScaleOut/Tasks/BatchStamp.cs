using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace Pipelines.ScaleOut;

/// <summary>
/// The header every output record carries: which input partition and batch wrote it, the batch's input range and the
/// record's index in the batch's output (<c>"&lt;partition&gt; &lt;batch ms&gt; &lt;from&gt; &lt;until&gt; &lt;index&gt;"</c>).
/// A new owner uses it to finish a batch the previous owner died in (see <see cref="UnfinishedBatch"/>).
/// </summary>
internal readonly record struct BatchStamp(int Partition, BatchTime Time, long From, long Until, int Index)
{
    public const string Header = "pipelines-batch";

    public byte[] Format() => Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Partition} {Time.Milliseconds} {From} {Until} {Index}"));

    public static BatchStamp? Read(Headers? headers)
    {
        if (headers is null || !headers.TryGetLastBytes(Header, out var bytes))
        {
            return null;
        }

        var parts = Encoding.ASCII.GetString(bytes).Split(' ');
        if (parts.Length != 5)
        {
            return null;
        }

        return new BatchStamp(
            int.Parse(parts[0], CultureInfo.InvariantCulture),
            new BatchTime(long.Parse(parts[1], CultureInfo.InvariantCulture)),
            long.Parse(parts[2], CultureInfo.InvariantCulture),
            long.Parse(parts[3], CultureInfo.InvariantCulture),
            int.Parse(parts[4], CultureInfo.InvariantCulture));
    }
}
