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

    private async Task ReadLinesAsync(TcpClient client, CancellationToken token)
    {
        using var reader = new LineReader(client.GetStream(), maxRecordLength);
        while (true)
        {
            var read = await reader.ReadLineAsync(token).ConfigureAwait(false);
            if (read.Line is { } line)
            {
                Store(line);
            }
            else if (read.IsTooLong)
            {
                MetricsListener.RecordsTooLong.Add(1);
                ReportError(
                    $"SocketTextStream {Address}: line {read.LineNumber} of the connection is {read.SkippedBytes} bytes long, more than StreamingOptions.MaxRecordLength ({maxRecordLength} bytes); it was skipped. Raise MaxRecordLength if such records are expected.",
                    new InvalidDataException($"A record from {Address} exceeds MaxRecordLength ({maxRecordLength} bytes)."));
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>A connection attempt failed (as opposed to an established connection that broke).</summary>
    private sealed class ConnectFailedException(Exception inner) : IOException(inner.Message, inner);
}
