using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pipelines.Messaging.Testing;

/// <summary>
/// A broker process the tests start on 127.0.0.1 (a free port chosen by the OS, a temporary data folder) and stop;
/// <see cref="RestartAsync"/> stops it and starts it again on the same port and data, for the restart tests.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(150);
    private readonly string _program;
    private readonly Func<ServerProcess, IEnumerable<string>> _arguments;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly StringBuilder _log = new();
    private Process? _process;

    public ServerProcess(string program, Func<ServerProcess, IEnumerable<string>> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        _program = program;
        _arguments = arguments;
        _environment = environment ?? new Dictionary<string, string>();
        Port = FreePort();
    }

    public TempFolder Data { get; } = new();

    public int Port { get; }

    /// <summary>Stop by killing the whole process tree (for servers started through a shell script that does not pass SIGTERM on).</summary>
    public bool KillTreeOnStop { get; init; }

    /// <summary>The environment the server runs with, for its companion tools (e.g. <c>rabbitmqctl</c>).</summary>
    public IReadOnlyDictionary<string, string> Environment => _environment;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Finds the program on PATH or in /usr/sbin (where Debian puts the brokers).</summary>
    public static string? Find(string name)
    {
        foreach (var folder in (System.Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Append("/usr/sbin").Append("/usr/lib/rabbitmq/bin"))
        {
            var path = Path.Combine(folder, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    /// <summary>A TCP port free on 127.0.0.1 now, chosen by the OS.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task StartAsync()
    {
        await StartProcessAsync();
        await WaitForPortAsync();
    }

    /// <summary>Waits until the server accepts TCP connections on <see cref="Port"/>.</summary>
    public async Task WaitForPortAsync()
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_process is { HasExited: true } process)
            {
                throw new InvalidOperationException($"{_program} exited with code {process.ExitCode} while starting.\n{Log}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (clock.Elapsed < StartTimeout)
            {
                await Task.Delay(50);
            }
            catch (SocketException error)
            {
                throw new TimeoutException($"{_program} did not listen on 127.0.0.1:{Port} within {StartTimeout}.\n{Log}", error);
            }
        }
    }

    private Task StartProcessAsync()
    {
        var start = new ProcessStartInfo(_program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in _arguments(this))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in _environment)
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        return Task.CompletedTask;
    }

    /// <summary>Stops the server (SIGTERM, then SIGKILL if it does not end) and waits for it.</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        if (!process.HasExited && KillTreeOnStop)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        if (!process.HasExited)
        {
            // SIGTERM: the brokers shut down cleanly (Redis writes its append-only file, NATS its JetStream state).
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        process.Dispose();
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Data.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
