using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Pipelines.Receivers;

/// <summary>
/// Reads UTF-8 lines from a TCP server (Spark's <c>SocketReceiver</c>). A refused or lost connection is retried
/// with exponential back-off; after <see cref="SocketTextStreamOptions.MaxReconnectAttempts"/> failed attempts in
/// a row the receiver stops with a <see cref="ReceiverException"/> that names the address. A line longer than
/// <paramref name="maxRecordLength"/> bytes is read through without being held and skipped, with a receiver error
/// naming the address and the limit.
/// </summary>
internal sealed class SocketReceiver(string host, int port, SocketTextStreamOptions options, int maxRecordLength, ILogger logger) : Receiver<string>
{
    /// <summary>The most lines decoded from one read that are stored together.</summary>
    private const int PendingLines = 4096;

    public string Address => $"{host}:{port}";

    public override string? SourceIdentity => $"socket://{host}:{port}";

    public override void OnStart() => StartWorker(ReceiveAsync);

    public override void OnStop()
    {
        // The worker owns the socket: StoppingToken ends its read and it disposes the connection.
    }

    private async Task ReceiveAsync(CancellationToken token)
    {
        var failures = 0;
        while (!token.IsCancellationRequested)
        {
            try
            {
                using var client = new TcpClient { NoDelay = true };
                await ConnectAsync(client, token).ConfigureAwait(false);
                failures = 0;
                logger.LogInformation("SocketTextStream connected to {Address}", Address);
                await ReadLinesAsync(client, token).ConfigureAwait(false);
                logger.LogWarning("SocketTextStream: {Address} closed the connection; reconnecting", Address);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error) when (error is SocketException or IOException or TimeoutException)
            {
                if (error is ConnectFailedException connect)
                {
                    failures++;
                    if (failures >= options.MaxReconnectAttempts)
                    {
                        Stop(
                            $"SocketTextStream could not connect to {Address} after {failures} attempts in a row (last error: {connect.InnerException?.Message}). " +
                            "Check that a server is listening there, or raise SocketTextStreamOptions.MaxReconnectAttempts.",
                            connect.InnerException);
                        return;
                    }

                    logger.LogWarning(connect.InnerException, "SocketTextStream could not connect to {Address} (attempt {Attempt} of {Max})", Address, failures, options.MaxReconnectAttempts);
                }
                else
                {
                    ReportError($"SocketTextStream lost the connection to {Address}; reconnecting", error);
                }
            }

            await Task.Delay(options.ReconnectDelay(Math.Max(failures, 1)), TimeProvider, token).ConfigureAwait(false);
        }
    }

    private async Task ConnectAsync(TcpClient client, CancellationToken token)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            await client.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            throw new ConnectFailedException(new TimeoutException($"Connecting to {Address} took longer than {options.ConnectTimeout}."));
        }
        catch (SocketException error)
        {
            throw new ConnectFailedException(error);
        }
    }

    /// <summary>
    /// Reads the connection until it closes: each read fills the pooled buffer, the line ends in it are found with a
    /// vectorized search, every complete line is decoded once into its string, and the lines of one read are
    /// handed to the stream together (one hand-over, one lock, per read instead of per line).
    /// </summary>
    private async Task ReadLinesAsync(TcpClient client, CancellationToken token)
    {
        using var reader = new LineReader(client.GetStream(), maxRecordLength, readBufferSize: options.ReadBufferSize, pool: options.BufferPool);
        var pending = new string[PendingLines];
        var count = 0;
        try
        {
            while (true)
            {
                while (reader.TryReadBufferedLine(out var read))
                {
                    if (read.Line is { } line)
                    {
                        pending[count++] = line;
                        if (count == pending.Length)
                        {
                            Flush(pending, ref count);
                        }
                    }
                    else if (read.IsTooLong)
                    {
                        Flush(pending, ref count);
                        MetricsListener.RecordsTooLong.Add(1);
                        ReportError(
                            $"SocketTextStream {Address}: line {read.LineNumber} of the connection is {read.SkippedBytes} bytes long, more than StreamingOptions.MaxRecordLength ({maxRecordLength} bytes); it was skipped. Raise MaxRecordLength if such records are expected.",
                            new InvalidDataException($"A record from {Address} exceeds MaxRecordLength ({maxRecordLength} bytes)."));
                    }
                    else
                    {
                        // The connection closed (a last line without its line end was taken above).
                        Flush(pending, ref count);
                        return;
                    }
                }

                // Everything complete in the buffer is handed over before waiting for the socket again.
                Flush(pending, ref count);
                await reader.FillAsync(token).ConfigureAwait(false);
            }
        }
        catch
        {
            // The lines already decoded arrived before the failure: keep them, as a line-by-line store would have.
            if (count > 0 && !token.IsCancellationRequested)
            {
                Flush(pending, ref count);
            }

            throw;
        }
    }

    /// <summary>Stores the pending lines as one range, in order, and forgets them.</summary>
    private void Flush(string[] pending, ref int count)
    {
        if (count == 0)
        {
            return;
        }

        var lines = count;
        count = 0;
        Store(new ReadOnlySpan<string>(pending, 0, lines));
        Array.Clear(pending, 0, lines);
    }

    /// <summary>A connection attempt failed (as opposed to an established connection that broke).</summary>
    private sealed class ConnectFailedException(Exception inner) : IOException(inner.Message, inner);
}
