using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pipelines.Tests.Receivers;

public sealed class SocketTextStreamTests
{
    private static readonly SocketTextStreamOptions FastReconnect = new()
    {
        InitialReconnectDelay = TimeSpan.FromMilliseconds(10),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(100),
    };

    [Fact]
    public async Task Lines_sent_over_TCP_arrive_across_a_disconnect_and_a_reconnect()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        string[] first = [.. Enumerable.Range(0, 200).Select(i => $"before {i}"), "héllo wörld ✓", "windows line"];
        string[] second = [.. Enumerable.Range(0, 200).Select(i => $"after {i}")];
        var events = new ReceiverEvents();
        await using var ssc = new StreamingContext(TimeSpan.FromMilliseconds(50), new StreamingOptions { Listeners = [events] });
        var collected = new Collector<string>(ssc.SocketTextStream("127.0.0.1", port, FastReconnect));
        using var serverDone = new CancellationTokenSource();

        ssc.Start();
        using (var connection = await listener.AcceptTcpClientAsync().Guard("the first connection"))
        {
            await WriteAsync(connection, string.Join('\n', first[..^1]) + "\n" + first[^1] + "\r\n");
        }

        // The server closed the connection; the receiver reconnects and everything sent afterwards arrives too.
        using var again = await listener.AcceptTcpClientAsync().Guard("the reconnection");
        await WriteAsync(again, string.Join("\n", second) + "\n");
        await collected.WaitForCountAsync(first.Length + second.Length);

        Assert.Equal(first.Concat(second).Order(StringComparer.Ordinal), collected.All.Order(StringComparer.Ordinal));
        Assert.Single(events.Started);
        Assert.Empty(events.Errors);
        Assert.False(ssc.AwaitTerminationAsync().IsCompleted);
    }

    [Fact]
    public async Task A_reset_connection_is_reported_and_the_receiver_reconnects()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var events = new ReceiverEvents();
        await using var ssc = new StreamingContext(TimeSpan.FromMilliseconds(50), new StreamingOptions { Listeners = [events] });
        var collected = new Collector<string>(ssc.SocketTextStream("127.0.0.1", port, FastReconnect));

        ssc.Start();
        using (var connection = await listener.AcceptTcpClientAsync().Guard("the first connection"))
        {
            await WriteAsync(connection, "before the reset\n");
            await collected.WaitForCountAsync(1);
            connection.Client.Close(timeout: 0); // linger 0: the peer sees a reset, not an orderly close
        }

        using var again = await listener.AcceptTcpClientAsync().Guard("the reconnection");
        await WriteAsync(again, "after the reset\n");
        await collected.WaitForCountAsync(2);

        Assert.Equal(["after the reset", "before the reset"], collected.All.Order(StringComparer.Ordinal));
        var reported = Assert.Single(events.Errors);
        Assert.Contains($"lost the connection to 127.0.0.1:{port}", reported.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<IOException>(reported.Error);
    }

    [Fact]
    public async Task A_refused_connection_is_retried_until_the_server_appears()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var ssc = new StreamingContext(TimeSpan.FromMilliseconds(50));
        var collected = new Collector<string>(ssc.SocketTextStream("127.0.0.1", port, FastReconnect));

        ssc.Start();
        using var late = new TcpListener(IPAddress.Loopback, port);
        late.Start();
        using var connection = await late.AcceptTcpClientAsync().Guard("the connection once the server is up");
        await WriteAsync(connection, "one\ntwo\n");
        await collected.WaitForCountAsync(2);

        Assert.Equal(["one", "two"], collected.All);
    }

    [Fact]
    public async Task After_the_configured_attempts_on_a_closed_port_it_gives_up_with_an_error_naming_the_address()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var events = new ReceiverEvents();
        await using var ssc = new StreamingContext(TimeSpan.FromMilliseconds(50), new StreamingOptions { Listeners = [events] });
        _ = new Collector<string>(ssc.SocketTextStream("127.0.0.1", port, new SocketTextStreamOptions
        {
            MaxReconnectAttempts = 3,
            InitialReconnectDelay = TimeSpan.FromMilliseconds(5),
        }));

        ssc.Start();
        var error = await Assert.ThrowsAsync<ReceiverException>(() => ssc.AwaitTerminationAsync().Guard("the receiver to give up"));

        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("after 3 attempts in a row", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxReconnectAttempts", error.Message, StringComparison.Ordinal);
        Assert.IsType<SocketException>(error.InnerException);
        var reported = Assert.Single(events.Errors);
        Assert.Same(error.InnerException, reported.Error);
        await events.WaitForAsync("stopped", 1);
    }

    [Fact]
    public void The_reconnect_delay_doubles_up_to_the_maximum()
    {
        var options = new SocketTextStreamOptions
        {
            InitialReconnectDelay = TimeSpan.FromMilliseconds(100),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(500),
        };

        TimeSpan[] delays = [.. Enumerable.Range(1, 6).Select(options.ReconnectDelay)];

        Assert.Equal([100, 200, 400, 500, 500, 500], delays.Select(d => (int)d.TotalMilliseconds));
    }

    [Fact]
    public void Bad_arguments_are_rejected_when_the_stream_is_defined()
    {
        var ssc = new StreamingContext(TimeSpan.FromSeconds(1));

        Assert.Throws<ArgumentOutOfRangeException>(() => ssc.SocketTextStream("127.0.0.1", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ssc.SocketTextStream("127.0.0.1", 70000));
        Assert.Throws<ArgumentException>(() => ssc.SocketTextStream(" ", 9999));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SocketTextStreamOptions { MaxReconnectAttempts = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SocketTextStreamOptions { ConnectTimeout = TimeSpan.Zero });
    }

    private static async Task WriteAsync(TcpClient connection, string text)
    {
        var stream = connection.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(text));
        await stream.FlushAsync();
    }
}
