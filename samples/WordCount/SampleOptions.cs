using System.Globalization;

namespace Pipelines.Samples.WordCount;

/// <summary>The sample's command line.</summary>
internal sealed record SampleOptions(int Batches, TimeSpan BatchInterval, int LinesPerBatch)
{
    public const string Usage = """
        usage: WordCount [--batches N] [--interval-ms MS] [--lines N]
          --batches N      stop after N batches (default 5; 0 runs until Ctrl+C)
          --interval-ms MS batch interval in milliseconds (default 1000)
          --lines N        lines the built-in source produces per batch (default 20)
        """;

    public static SampleOptions? Parse(string[] args)
    {
        var options = new SampleOptions(5, TimeSpan.FromSeconds(1), 20);
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--batches" when int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n >= 0:
                    options = options with { Batches = n };
                    i++;
                    break;
                case "--interval-ms" when int.TryParse(value, CultureInfo.InvariantCulture, out var ms) && ms > 0:
                    options = options with { BatchInterval = TimeSpan.FromMilliseconds(ms) };
                    i++;
                    break;
                case "--lines" when int.TryParse(value, CultureInfo.InvariantCulture, out var lines) && lines > 0:
                    options = options with { LinesPerBatch = lines };
                    i++;
                    break;
                default:
                    return null;
            }
        }

        return options;
    }
}
