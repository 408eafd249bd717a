using System.Net.Sockets;
using Pipelines.Benchmarks.Sustained;

namespace Pipelines.Benchmarks.Tests;

/// <summary>The W6 line server sends its lines, in order and cycled, to the client that connects.</summary>
public sealed class LineServerTests
{
    [Fact]
    public async Task Line_server_sends_its_lines_in_order_and_starts_again_after_the_last()
    {
        string[] lines = ["alpha beta", "gamma", "delta epsilon zeta"];
        await using var server = new LineServer(lines);
        server.Start(linesPerSecond: 10_000);

        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", server.Port);
        using var reader = new StreamReader(client.GetStream());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new List<string>();
        while (received.Count < 7)
        {
            received.Add(await reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("The server closed the connection."));
        }

        Assert.Equal([.. lines, .. lines, lines[0]], received);
    }
}
