using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pipelines.Benchmarks.Sustained;

/// <summary>
/// A TCP server on 127.0.0.1 (port 0) that sends text lines to its one client at a fixed rate, paced every
/// few milliseconds from a pre-encoded buffer, so the sender costs little next to the pipeline it feeds.
/// </summary>
public sealed class LineServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly byte[] _text;
    private readonly int[] _lineEnds;
    private readonly CancellationTokenSource _stop = new();
    private Task? _sending;

    /// <summary>Encodes <paramref name="lines"/> once; the server sends them in a cycle.</summary>
    public LineServer(IReadOnlyList<string> lines)
    {
        var builder = new StringBuilder();
        _lineEnds = new int[lines.Count];
        var bytes = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            builder.Append(lines[i]).Append('\n');
            bytes += Encoding.UTF8.GetByteCount(lines[i]) + 1;
            _lineEnds[i] = bytes;
        }

        _text = Encoding.UTF8.GetBytes(builder.ToString());
        _listener.Start();
    }

    /// <summary>The port the server listens on.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Lines sent so far.</summary>
    public long LinesSent => Interlocked.Read(ref _linesSent);

    private long _linesSent;

    /// <summary>Accepts one client and sends it <paramref name="linesPerSecond"/> lines per second until disposed.</summary>
    public void Start(double linesPerSecond) => _sending = Task.Run(() => SendAsync(linesPerSecond, _stop.Token));

    /// <summary>Stops sending and closes the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        if (_sending is not null)
        {
            try
            {
                await _sending.ConfigureAwait(false);
            }
            catch (Exception error) when (error is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
            {
                // The client went away or the run ended: either way the sender is done.
            }
        }

        _stop.Dispose();
    }

    private async Task SendAsync(double linesPerSecond, CancellationToken cancellationToken)
    {
        using var client = await _listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
        client.NoDelay = false;
        var stream = client.GetStream();
        var clock = Stopwatch.StartNew();
        var next = 0;
        long sent = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var due = (long)(clock.Elapsed.TotalSeconds * linesPerSecond);
            while (sent < due)
            {
                // Send up to the end of the buffer or the due count, whichever comes first.
                var lines = (int)Math.Min(due - sent, _lineEnds.Length - next);
                var from = next == 0 ? 0 : _lineEnds[next - 1];
                var to = _lineEnds[next + lines - 1];
                await stream.WriteAsync(_text.AsMemory(from, to - from), cancellationToken).ConfigureAwait(false);
                sent += lines;
                next = (next + lines) % _lineEnds.Length;
                Interlocked.Exchange(ref _linesSent, sent);
            }

            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }
    }
}
