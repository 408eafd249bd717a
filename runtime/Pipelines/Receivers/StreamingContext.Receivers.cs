using Microsoft.Extensions.Logging;
using Pipelines.Receivers;

namespace Pipelines;

/// <summary>Input streams fed by receivers.</summary>
public sealed partial class StreamingContext
{
    /// <summary>
    /// An input stream fed by a custom <paramref name="receiver"/> (Spark's <c>receiverStream</c>). The receiver
    /// starts with the context; each batch holds the records it stored during the batch interval.
    /// </summary>
    /// <param name="receiver">A receiver not attached to any other stream.</param>
    /// <exception cref="InvalidOperationException">The context has started, or the receiver already feeds a stream.</exception>
    public DStream<T> ReceiverStream<T>(Receiver<T> receiver)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        return Register(new ReceiverInputDStream<T>(this, receiver, nameof(ReceiverStream)));
    }

    /// <summary>
    /// An input stream of the UTF-8 text lines (without their line ends) read from a TCP server at
    /// <paramref name="host"/>:<paramref name="port"/> (Spark's <c>socketTextStream</c>). A refused or lost
    /// connection is retried with exponential back-off; after
    /// <see cref="SocketTextStreamOptions.MaxReconnectAttempts"/> failed attempts in a row the receiver gives up:
    /// listeners get <see cref="IStreamingListener.OnReceiverError"/> and
    /// <see cref="AwaitTerminationAsync"/> throws a <see cref="ReceiverException"/> naming the address. A line longer
    /// than <see cref="StreamingOptions.MaxRecordLength"/> is skipped without being held in memory, with a receiver
    /// error (<see cref="IStreamingListener.OnReceiverError"/>) naming the address and the limit.
    /// </summary>
    /// <param name="host">The server's host name or IP address.</param>
    /// <param name="port">The server's TCP port, 1 to 65535.</param>
    /// <param name="options">Reconnection settings; <c>null</c> for the defaults.</param>
    /// <example>
    /// Count words typed into <c>nc -lk 9999</c>:
    /// <code>
    /// await using var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
    /// var lines = ssc.SocketTextStream("127.0.0.1", 9999, new SocketTextStreamOptions { MaxReconnectAttempts = 5 });
    /// lines.FlatMap(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
    ///      .Map(word => (word, 1))
    ///      .ReduceByKey((a, b) => a + b)
    ///      .Print();
    /// ssc.Start();
    /// await ssc.AwaitTerminationAsync(); // throws ReceiverException if the server stays unreachable
    /// </code>
    /// </example>
    /// <exception cref="ArgumentException"><paramref name="host"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is not a valid TCP port.</exception>
    public DStream<string> SocketTextStream(string host, int port, SocketTextStreamOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        if (port is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, "The port must be between 1 and 65535.");
        }

        var receiver = new SocketReceiver(host, port, options ?? new SocketTextStreamOptions(), Options.MaxRecordLength, LoggerFactory.CreateLogger<SocketReceiver>());
        return Register(new ReceiverInputDStream<string>(this, receiver, nameof(SocketTextStream)));
    }
}
