using System.Globalization;

namespace Pipelines.Samples.WordCount;

/// <summary>The sample's command line.</summary>
/// <param name="Batches">Batches to run before stopping; 0 runs until Ctrl+C.</param>
/// <param name="BatchInterval">The batch interval.</param>
/// <param name="LinesPerBatch">Lines the built-in source produces per batch.</param>
/// <param name="SocketHost">The host of <c>--socket</c>, or null.</param>
/// <param name="SocketPort">The port of <c>--socket</c>.</param>
/// <param name="Directory">The folder of <c>--dir</c>, or null.</param>
/// <param name="DashboardPort">The port of <c>--dashboard</c>, or null for no dashboard.</param>
internal sealed record SampleOptions(int Batches, TimeSpan BatchInterval, int LinesPerBatch, string? SocketHost = null, int SocketPort = 0, string? Directory = null, int? DashboardPort = null)
{
    public const string Usage = """
        usage: WordCount [--socket HOST:PORT | --dir PATH] [--batches N] [--interval-ms MS] [--lines N] [--dashboard [PORT]]
          --socket HOST:PORT read lines from a TCP server (e.g. one started with: nc -lk 9999)
          --dir PATH         read the text files moved into PATH after start
          --batches N        stop after N batches (default 5 on the built-in source; with --socket or
                             --dir the default is 0, which runs until Ctrl+C)
          --interval-ms MS   batch interval in milliseconds (default 1000)
          --lines N          lines the built-in source produces per batch (default 20)
          --dashboard [PORT] serve the live dashboard on http://127.0.0.1:PORT/ (default 4040; 0 = any free
                             port) with the top words; runs until Ctrl+C unless --batches is given
        """;

    public static SampleOptions? Parse(string[] args)
    {
        var options = new SampleOptions(5, TimeSpan.FromSeconds(1), 20);
        var batchesGiven = false;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--batches" when int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n >= 0:
                    options = options with { Batches = n };
                    batchesGiven = true;
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
                case "--socket" when TryParseAddress(value, out var host, out var port) && options.Directory is null:
                    options = options with { SocketHost = host, SocketPort = port };
                    i++;
                    break;
                case "--dir" when !string.IsNullOrWhiteSpace(value) && options.SocketHost is null:
                    options = options with { Directory = value };
                    i++;
                    break;
                case "--dashboard" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var dashboardPort) && dashboardPort <= 65535:
                    options = options with { DashboardPort = dashboardPort };
                    i++;
                    break;
                case "--dashboard":
                    options = options with { DashboardPort = 4040 };
                    break;
                default:
                    return null;
            }
        }

        // A live source (or a dashboard to watch) runs on until Ctrl+C unless a number of batches was asked for.
        if (!batchesGiven && (options.SocketHost is not null || options.Directory is not null || options.DashboardPort is not null))
        {
            options = options with { Batches = 0 };
        }

        return options;
    }

    private static bool TryParseAddress(string? value, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = value?.LastIndexOf(':') ?? -1;
        if (value is null || colon <= 0)
        {
            return false;
        }

        host = value[..colon].Trim('[', ']');
        return int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;
    }
}
