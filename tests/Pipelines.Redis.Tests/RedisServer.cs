using Pipelines.Messaging.Testing;
using StackExchange.Redis;

namespace Pipelines.Redis.Tests;

/// <summary>A <c>redis-server</c> on 127.0.0.1 (free port, temporary folder, append-only file synced on every write).</summary>
public sealed class RedisServer : IAsyncLifetime
{
    private ServerProcess? _server;
    private ConnectionMultiplexer? _client;

    public string Configuration => $"127.0.0.1:{Server.Port}";

    public IDatabase Database => (_client ?? throw new InvalidOperationException("Not started.")).GetDatabase();

    internal ServerProcess Server => _server ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        var program = ServerProcess.Find("redis-server") ?? throw new InvalidOperationException("redis-server is not installed: run .ci/install-servers.sh (Debian package redis-server).");
        _server = new ServerProcess(program, s => ["--bind", "127.0.0.1", "--port", s.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--dir", s.Data.Path, "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no"]);
        await _server.StartAsync();
        var options = ConfigurationOptions.Parse(Configuration);
        options.AbortOnConnectFail = false;
        _client = await ConnectionMultiplexer.ConnectAsync(options);
    }

    /// <summary>Restarts the server on the same port and data (the stream and its group survive in the append-only file).</summary>
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
