using System.Text;
using RabbitMQ.Client.Events;

namespace Pipelines.RabbitMq;

/// <summary>Input streams that read RabbitMQ queues.</summary>
public static class RabbitMqStreamingContextExtensions
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// An input stream of the UTF-8 text of a RabbitMQ queue's messages, consumed with manual acknowledgements. A
    /// block of deliveries is stored first (with <see cref="CheckpointOptions.ReceiverWriteAheadLog"/>: in the
    /// write-ahead log on disk) and only then acknowledged, so that nothing acknowledged is lost in a crash; the broker
    /// requeues unacknowledged deliveries when the connection drops and they are read again (at-least-once: a message
    /// may be seen twice after a crash). A message that is not valid UTF-8 (a poison message) is reported
    /// (<see cref="IStreamingListener.OnReceiverError"/>) and rejected without requeue (dead-lettered if the queue has a
    /// dead-letter exchange); the stream goes on. A lost connection (e.g. a broker restart) restarts the receiver after
    /// <see cref="StreamingOptions.ReceiverRestartDelay"/>.
    /// </summary>
    /// <param name="context">The streaming context.</param>
    /// <param name="options">The broker and queue.</param>
    /// <example>
    /// <code>
    /// await using var ssc = StreamingContext.GetOrCreate("checkpoints", () =>
    /// {
    ///     var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
    ///     ssc.RabbitMqStream(new RabbitMqStreamOptions { Uri = new Uri("amqp://guest:guest@127.0.0.1:5672/"), Queue = "orders" })
    ///        .Print();
    ///     return ssc;
    /// }, new CheckpointOptions { ReceiverWriteAheadLog = true });
    /// ssc.Start();
    /// </code>
    /// </example>
    public static DStream<string> RabbitMqStream(this StreamingContext context, RabbitMqStreamOptions options) =>
        context.RabbitMqStream(options, static delivery => StrictUtf8.GetString(delivery.Body.Span));

    /// <summary>
    /// An input stream of a RabbitMQ queue's deliveries turned into records by <paramref name="decode"/>, with the
    /// guarantees of <see cref="RabbitMqStream(StreamingContext, RabbitMqStreamOptions)"/>. A delivery
    /// <paramref name="decode"/> throws on is reported and rejected without requeue.
    /// </summary>
    /// <typeparam name="T">The type of the records (written to the write-ahead log with System.Text.Json).</typeparam>
    /// <param name="context">The streaming context.</param>
    /// <param name="options">The broker and queue.</param>
    /// <param name="decode">Turns a delivery into a record (copy what it keeps: the body is valid only during the call); throws on a delivery it cannot read.</param>
    public static DStream<T> RabbitMqStream<T>(this StreamingContext context, RabbitMqStreamOptions options, Func<BasicDeliverEventArgs, T> decode)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(decode);
        options.Validate();
        return context.ReceiverStream(new RabbitMqReceiver<T>(options, decode));
    }
}
