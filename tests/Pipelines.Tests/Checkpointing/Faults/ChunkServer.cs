using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pipelines.Tests.Checkpointing.Faults;

/// <summary>
/// The source side of the socket fault test, like a message broker: it sends numbered chunks of lines
/// (<c>chunk &lt;n&gt; &lt;count&gt;</c> then the lines) to whoever connects, at a steady pace, reads
/// <c>ack &lt;n&gt;</c> answers, and after a reconnect sends again from the first unacknowledged chunk.
/// </summary>
internal sealed class ChunkServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IReadOnlyList<string[]> _chunks;
    private readonly TimeSpan _pace;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _allAcknowledged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int[] _sends;
    private readonly Task _accepting;
    private CancellationTokenSource? _connection;
    private int _acknowledged = -1;

    public ChunkServer(IReadOnlyList<string[]> chunks, TimeSpan pace)
    {
        _chunks = chunks;
        _pace = pace;
        _sends = new int[chunks.Count];
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Completes when the receiver acknowledged every chunk.</summary>
    public Task AllAcknowledged => _allAcknowledged.Task;

    /// <summary>The lines of chunks that were sent more than once (after a kill, before their acknowledgement arrived).</summary>
    public IEnumerable<string> ResentLines => _chunks.Where((_, i) => Volatile.Read(ref _sends[i]) > 1).SelectMany(chunk => chunk);

    public int ResentChunks => _sends.Count(n => n > 1);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception error) when (error is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            if (_connection is { } previous)
            {
                await previous.CancelAsync();
            }

            _connection = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            _ = ServeAsync(client, _connection.Token);
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using var owned = client;
        try
        {
            await using var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.UTF8);
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n" };
            var acks = ReadAcknowledgementsAsync(reader, cancellationToken);
            for (var next = Volatile.Read(ref _acknowledged) + 1; next < _chunks.Count && !acks.IsCompleted; next++)
            {
                await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"chunk {next} {_chunks[next].Length}").AsMemory(), cancellationToken);
                foreach (var line in _chunks[next])
                {
                    await writer.WriteLineAsync(line.AsMemory(), cancellationToken);
                }

                await writer.FlushAsync(cancellationToken);
                Interlocked.Increment(ref _sends[next]);
                await Task.Delay(_pace, cancellationToken);
            }

            await acks;
        }
        catch (Exception error) when (error is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The app was killed or reconnected; the next connection resumes from the first unacknowledged chunk.
        }
    }

    private async Task ReadAcknowledgementsAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            var chunk = int.Parse(line.AsSpan("ack ".Length), CultureInfo.InvariantCulture);
            if (chunk == Volatile.Read(ref _acknowledged) + 1)
            {
                Volatile.Write(ref _acknowledged, chunk);
            }

            if (chunk == _chunks.Count - 1)
            {
                _allAcknowledged.TrySetResult();
            }
        }
    }
}
