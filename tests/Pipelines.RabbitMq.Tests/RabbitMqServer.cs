using System.Diagnostics;
using System.Globalization;
using System.Text;
using Pipelines.Messaging.Testing;
using RabbitMQ.Client;

namespace Pipelines.RabbitMq.Tests;

/// <summary>
/// A <c>rabbitmq-server</c> on 127.0.0.1 for all RabbitMQ tests (it takes tens of seconds to boot): free ports for
/// AMQP, Erlang's port mapper (epmd) and distribution, its own node name, and a temporary folder for Mnesia, logs,
/// config and the Erlang cookie. Stopped, with its epmd, at the end.
/// </summary>
public sealed class RabbitMqServer : IAsyncLifetime
{
    private ServerProcess? _server;

    public Uri Uri => new($"amqp://guest:guest@127.0.0.1:{Server.Port}/");

    internal ServerProcess Server => _server ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        var program = ServerProcess.Find("rabbitmq-server") is not null && File.Exists("/usr/lib/rabbitmq/bin/rabbitmq-server")
            ? "/usr/lib/rabbitmq/bin/rabbitmq-server" // the script itself: /usr/sbin's wrapper switches to the rabbitmq user
            : throw new InvalidOperationException("rabbitmq-server is not installed: run .ci/install-servers.sh (Debian package rabbitmq-server).");
        var node = "pipelines-" + Guid.NewGuid().ToString("N")[..8] + "@localhost";
        var epmd = ServerProcess.FreePort();
        var distribution = ServerProcess.FreePort();
        ServerProcess? created = null;
        created = new ServerProcess(program, _ => [], new LazyEnvironment(() => Environment(created!, node, epmd, distribution))) { KillTreeOnStop = true };
        _server = created;
        await created.StartAsync();
    }

    /// <summary>Restarts the broker application (<c>rabbitmqctl stop_app</c>, <c>start_app</c>): every client connection drops, durable queues and persistent messages stay.</summary>
    public async Task RestartAsync()
    {
        await CtlAsync("stop_app");
        await CtlAsync("start_app");
        await Server.WaitForPortAsync();
    }

    public async Task<IConnection> ConnectAsync() => await new ConnectionFactory { Uri = Uri }.CreateConnectionAsync();

    public async Task DeclareAndPublishAsync(string queue, IEnumerable<string> records)
    {
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        // Confirmed publishes in flight together: one broker disk sync covers many (one at a time takes a sync each).
        foreach (var chunk in records.Chunk(200))
        {
            await Task.WhenAll(chunk.Select(record =>
                channel.BasicPublishAsync(string.Empty, queue, mandatory: false, new BasicProperties { Persistent = true, MessageId = record }, Encoding.UTF8.GetBytes(record)).AsTask()));
        }
    }

    public async Task<uint> MessageCountAsync(string queue)
    {
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        return await channel.MessageCountAsync(queue);
    }

    public async Task DisposeAsync()
    {
        if (_server is not { } server)
        {
            return;
        }

        await server.StopAsync();
        if (ServerProcess.Find("epmd") is { } epmd)
        {
            // The server started its own epmd daemon on the test's port; it outlives the server unless told to stop.
            var stop = new ProcessStartInfo(epmd, ["-kill"]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            stop.Environment["ERL_EPMD_PORT"] = server.Environment["ERL_EPMD_PORT"];
            using var process = Process.Start(stop)!;
            await process.WaitForExitAsync();
        }

        await server.DisposeAsync();
    }

    private static Dictionary<string, string> Environment(ServerProcess server, string node, int epmd, int distribution)
    {
        var root = server.Data.Path;
        return new Dictionary<string, string>
        {
            ["HOME"] = root, // the Erlang cookie
            ["RABBITMQ_NODENAME"] = node,
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = server.Port.ToString(CultureInfo.InvariantCulture),
            ["RABBITMQ_DIST_PORT"] = distribution.ToString(CultureInfo.InvariantCulture),
            ["ERL_EPMD_PORT"] = epmd.ToString(CultureInfo.InvariantCulture),
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(root, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(root, "log"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(root, "rabbitmq"),
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(root, "advanced.config"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(root, "enabled_plugins"),
            ["RABBITMQ_PID_FILE"] = Path.Combine(root, "rabbitmq.pid"),
        };
    }

    private async Task CtlAsync(string command)
    {
        var start = new ProcessStartInfo("/usr/lib/rabbitmq/bin/rabbitmqctl", [command]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in Server.Environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmqctl {command} failed with code {process.ExitCode}: {await output}{await error}");
        }
    }

    /// <summary>The environment, built once the server (and so its data folder and port) exists.</summary>
    private sealed class LazyEnvironment(Func<Dictionary<string, string>> build) : IReadOnlyDictionary<string, string>
    {
        private readonly Lazy<Dictionary<string, string>> _values = new(build);

        public int Count => _values.Value.Count;

        public IEnumerable<string> Keys => _values.Value.Keys;

        public IEnumerable<string> Values => _values.Value.Values;

        public string this[string key] => _values.Value[key];

        public bool ContainsKey(string key) => _values.Value.ContainsKey(key);

        public bool TryGetValue(string key, out string value) => _values.Value.TryGetValue(key, out value!);

        public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _values.Value.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

/// <summary>One broker for every RabbitMQ test class (they run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class RabbitMqCollection : ICollectionFixture<RabbitMqServer>
{
    public const string Name = "rabbitmq";
}
