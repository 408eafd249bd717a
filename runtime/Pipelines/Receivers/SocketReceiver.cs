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
    /// vectorized search, and every complete line is decoded once into a pooled block of characters; the lines of
    /// one read are handed to the stream together as one <see cref="Compilation.TextLineBlock"/> (one hand-over, one
    /// lock, per read). Strings are created only if a reader of the batch needs them (see
    /// <see cref="Compilation.TextLineBlocks"/>).
    /// </summary>
    private async Task ReadLinesAsync(TcpClient client, CancellationToken token)
    {
        using var reader = new LineReader(client.GetStream(), maxRecordLength, readBufferSize: options.ReadBufferSize, pool: options.BufferPool);
        using var writer = new TextLineBlockWriter(options.CharPool, options.LineEndPool);
        try
        {
            while (!DecodeBuffered(reader, writer))
            {
                await reader.FillAsync(token).ConfigureAwait(false);
            }
        }
        catch
        {
            // The lines already decoded arrived before the failure: keep them, as a line-by-line store would have.
            if (writer.LineCount > 0 && !token.IsCancellationRequested)
            {
                Flush(writer);
            }

            throw;
        }
    }

    /// <summary>
    /// Decodes every line complete in the reader's buffer and stores them; true when the connection closed (its
    /// last line taken), false when the socket must be read again.
    /// </summary>
    private bool DecodeBuffered(LineReader reader, TextLineBlockWriter writer)
    {
        while (reader.TryReadBufferedLineBytes(out var line, out var isLine, out var read))
        {
            if (isLine)
            {
                if (!writer.HasRoomFor(line.Length))
                {
                    Flush(writer);
                }

                writer.Add(line, reader.BufferedBytes);
            }
            else if (read.IsTooLong)
            {
                Flush(writer);
                MetricsListener.RecordsTooLong.Add(1);
                ReportError(
                    $"SocketTextStream {Address}: line {read.LineNumber} of the connection is {read.SkippedBytes} bytes long, more than StreamingOptions.MaxRecordLength ({maxRecordLength} bytes); it was skipped. Raise MaxRecordLength if such records are expected.",
                    new InvalidDataException($"A record from {Address} exceeds MaxRecordLength ({maxRecordLength} bytes)."));
            }
            else
            {
                // The connection closed (a last line without its line end was taken above).
                Flush(writer);
                return true;
            }
        }

        // Everything complete in the buffer is handed over before waiting for the socket again.
        Flush(writer);
        return false;
    }

    /// <summary>Stores the lines decoded so far as one block, in order.</summary>
    private void Flush(TextLineBlockWriter writer)
    {
        if (writer.Take() is { } block)
        {
            StoreLines(block);
        }
    }

    /// <summary>A connection attempt failed (as opposed to an established connection that broke).</summary>
    private sealed class ConnectFailedException(Exception inner) : IOException(inner.Message, inner);
}
