using System.Globalization;
using System.Text;

namespace Pipelines.Outputs;

/// <summary>Spark's <c>print</c> format.</summary>
internal static class BatchPrinter
{
    private const string Rule = "-------------------------------------------";

    public static string Format<T>(Batch<T> batch, BatchTime time, int num)
    {
        var text = new StringBuilder();
        text.Append(Rule).Append('\n');
        text.Append("Time: ").Append(time.ToString()).Append('\n');
        text.Append(Rule).Append('\n');
        var shown = Math.Min(num, batch.Count);
        for (var i = 0; i < shown; i++)
        {
            text.Append(Convert.ToString(batch[i], CultureInfo.InvariantCulture)).Append('\n');
        }

        if (batch.Count > num)
        {
            text.Append("...\n");
        }

        text.Append('\n');
        return text.ToString();
    }
}
