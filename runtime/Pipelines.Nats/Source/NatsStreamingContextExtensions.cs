using System.Text;

namespace Pipelines.Nats;

/// <summary>Input streams that read NATS subjects and JetStream streams.</summary>
public static class NatsStreamingContextExtensions
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// An input stream of the UTF-8 text of the messages published on a core NATS <paramref name="subject"/>
    /// (wildcards allowed). At-most-once, as core NATS is: what is published while the receiver is disconnected is
    /// not seen, and the write-ahead log cannot bring it back; use <see cref="NatsJetStream(StreamingContext, NatsJetStreamOptions)"/>
    /// for no loss. A message that is not valid UTF-8 is reported (<see cref="IStreamingListener.OnReceiverError"/>)
    /// and skipped; the stream goes on. The client reconnects by itself after a server restart.
    /// </summary>
    /// <param name="context">The streaming context.</param>
    /// <param name="url">The server URL, e.g. <c>nats://127.0.0.1:4222</c>.</param>
    /// <param name="subject">The subject to subscribe to, e.g. <c>events.&gt;</c>.</param>
    /// <param name="queueGroup">A queue group to share the subject's messages with other subscribers; <c>null</c> for all messages.</param>
    /// <example>
    /// <code>
    /// var lines = ssc.NatsStream("nats://127.0.0.1:4222", "logs.>");
    /// lines.Filter(line => line.Contains("ERROR")).Print();
    /// </code>
    /// </example>
    public static DStream<string> NatsStream(this StreamingContext context, string url, string subject, string? queueGroup = null) =>
        context.NatsStream(url, subject, DecodeUtf8, queueGroup);

    /// <summary>
    /// An input stream of the messages on a core NATS <paramref name="subject"/>, turned into records by
    /// <paramref name="decode"/>; at-most-once, as <see cref="NatsStream(StreamingContext, string, string, string?)"/>.
    /// A message <paramref name="decode"/> throws on is reported and skipped.
    /// </summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <param name="context">The streaming context.</param>
    /// <param name="url">The server URL.</param>
    /// <param name="subject">The subject to subscribe to.</param>
    /// <param name="decode">Turns a message into a record; throws on a message it cannot read.</param>
    /// <param name="queueGroup">A queue group, or <c>null</c>.</param>
    public static DStream<T> NatsStream<T>(this StreamingContext context, string url, string subject, Func<NatsMessage, T> decode, string? queueGroup = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        ArgumentNullException.ThrowIfNull(decode);
        return context.ReceiverStream(new NatsSubjectReceiver<T>(url, subject, queueGroup, decode));
    }

    /// <summary>
    /// An input stream of the UTF-8 text of a JetStream stream's messages, read through a durable pull consumer.
    /// Each fetched block is stored first (with <see cref="CheckpointOptions.ReceiverWriteAheadLog"/>: in the
    /// write-ahead log on disk) and only then are its messages acknowledged, so that nothing acknowledged is lost in
    /// a crash; the server delivers the unacknowledged rest again after <see cref="NatsJetStreamOptions.AckWait"/>
    /// (at-least-once: a message may be seen twice after a crash). A message that is not valid UTF-8 (a poison message)
    /// is reported (<see cref="IStreamingListener.OnReceiverError"/>) and terminated (<c>AckTerm</c>: not delivered
    /// again); the stream goes on. A lost connection (e.g. a server restart) is re-established by the client, or the
    /// receiver restarts after <see cref="StreamingOptions.ReceiverRestartDelay"/>.
    /// </summary>
    /// <param name="context">The streaming context.</param>
    /// <param name="options">The server, stream and consumer.</param>
    /// <example>
    /// <code>
    /// await using var ssc = StreamingContext.GetOrCreate("checkpoints", () =>
    /// {
    ///     var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
    ///     ssc.NatsJetStream(new NatsJetStreamOptions { Url = "nats://127.0.0.1:4222", Stream = "ORDERS", Consumer = "pipelines" })
    ///        .Print();
    ///     return ssc;
    /// }, new CheckpointOptions { ReceiverWriteAheadLog = true });
    /// ssc.Start();
    /// </code>
    /// </example>
    public static DStream<string> NatsJetStream(this StreamingContext context, NatsJetStreamOptions options) =>
        context.NatsJetStream(options, DecodeUtf8);

    /// <summary>
    /// An input stream of a JetStream stream's messages turned into records by <paramref name="decode"/>, with the
    /// guarantees of <see cref="NatsJetStream(StreamingContext, NatsJetStreamOptions)"/>. A message
    /// <paramref name="decode"/> throws on is reported and terminated.
    /// </summary>
    /// <typeparam name="T">The type of the records (written to the write-ahead log with System.Text.Json).</typeparam>
    /// <param name="context">The streaming context.</param>
    /// <param name="options">The server, stream and consumer.</param>
    /// <param name="decode">Turns a message into a record; throws on a message it cannot read.</param>
    public static DStream<T> NatsJetStream<T>(this StreamingContext context, NatsJetStreamOptions options, Func<NatsMessage, T> decode)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(decode);
        options.Validate();
        return context.ReceiverStream(new NatsJetStreamReceiver<T>(options, decode));
    }

    private static string DecodeUtf8(NatsMessage message) => StrictUtf8.GetString(message.Data.Span);
}
