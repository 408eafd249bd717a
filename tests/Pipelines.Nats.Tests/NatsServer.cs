using System.Globalization;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Pipelines.Messaging.Testing;

namespace Pipelines.Nats.Tests;

/// <summary>A <c>nats-server</c> with JetStream on 127.0.0.1 (free port, temporary store folder).</summary>
public sealed class NatsServer : IAsyncLifetime
{
    private ServerProcess? _server;
    private NatsConnection? _client;

    public string Url => $"nats://127.0.0.1:{Server.Port}";

    public NatsConnection Client => _client ?? throw new InvalidOperationException("Not started.");

    public NatsJSContext JetStream => new(Client);

    internal ServerProcess Server => _server ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        var program = ServerProcess.Find("nats-server") ?? throw new InvalidOperationException("nats-server is not installed: run .ci/install-servers.sh (Debian package nats-server).");
        _server = new ServerProcess(program, s => ["-a", "127.0.0.1", "-p", s.Port.ToString(CultureInfo.InvariantCulture), "-js", "-sd", s.Data.Path]);
        await _server.StartAsync();
        _client = new NatsConnection(new NatsOpts { Url = Url });
        await _client.ConnectAsync();
    }

    /// <summary>Restarts the server on the same port and store (JetStream streams and consumers survive).</summary>
    public Task RestartAsync() => Server.RestartAsync();

    public async Task DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
