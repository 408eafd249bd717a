using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Pipelines.FaultApp;

/// <summary>
/// A reliable receiver over a small TCP protocol, as a message broker client would be: the server sends
/// <c>chunk &lt;n&gt; &lt;count&gt;</c> followed by that many lines; the receiver stores the chunk as one block with
/// <see cref="Receiver{T}.StoreAsync"/> and, once that completed (the block is in the write-ahead log on disk),
/// answers <c>ack &lt;n&gt;</c>. The server sends unacknowledged chunks again after a reconnect.
/// </summary>
public sealed class AcknowledgingReceiver(string host, int port) : Receiver<string>
{
    /// <inheritdoc />
    public override void OnStart() => StartWorker(ReceiveAsync);

    /// <inheritdoc />
    public override void OnStop()
    {
    }

    private async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(host, port, cancellationToken);
        await using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        while (!cancellationToken.IsCancellationRequested)
        {
            var header = await reader.ReadLineAsync(cancellationToken);
            if (header is null)
            {
                Restart("The server closed the connection", null, TimeSpan.FromMilliseconds(100));
                return;
            }

            var parts = header.Split(' ');
            var count = int.Parse(parts[2], CultureInfo.InvariantCulture);
            var block = new string[count];
            for (var i = 0; i < count; i++)
            {
                block[i] = await reader.ReadLineAsync(cancellationToken) ?? throw new IOException("The server closed the connection in the middle of a chunk.");
            }

            await StoreAsync(block, cancellationToken);
            await writer.WriteLineAsync($"ack {parts[1]}".AsMemory(), cancellationToken);
        }
    }
}
