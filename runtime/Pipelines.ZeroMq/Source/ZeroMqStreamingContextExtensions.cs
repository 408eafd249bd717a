using System.Text;
using NetMQ;

namespace Pipelines.ZeroMq;

/// <summary>Input streams that read ZeroMQ sockets (Spark's <c>ZeroMQUtils.createStream</c>), on NetMQ.</summary>
/// <remarks>
/// ZeroMQ has no acknowledgements, so these streams are at-most-once: what a peer sends while the receiver is not
/// connected (a PUB socket drops it; a PUSH socket queues it up to its high-water mark) or what is in flight when the
/// app dies is not replayed, even with the write-ahead log. Use a broker (NATS JetStream, RabbitMQ, Redis Streams,
/// Kafka) where no record may be lost.
/// </remarks>
public static class ZeroMqStreamingContextExtensions
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// An input stream of the UTF-8 text of the last frame of each message a PUB peer publishes on
    /// <paramref name="topics"/> (prefixes of the first frame; an empty string subscribes to everything). A message
    /// whose last frame is not valid UTF-8 is reported (<see cref="IStreamingListener.OnReceiverError"/>) and skipped;
    /// the stream goes on. ZeroMQ reconnects to a restarted peer by itself. At-most-once (see the class remarks).
    /// </summary>
    /// <param name="context">The streaming context.</param>
    /// <param name="endpoint">The PUB peer's endpoint to connect to, e.g. <c>tcp://127.0.0.1:5556</c>; prefix <c>@</c> to bind instead.</param>
    /// <param name="topics">The topics to subscribe to; at least one.</param>
    /// <example>
    /// <code>
    /// var quotes = ssc.ZeroMqSubscriberStream("tcp://127.0.0.1:5556", "quotes");
    /// quotes.Print();
    /// </code>
    /// </example>
    public static DStream<string> ZeroMqSubscriberStream(this StreamingContext context, string endpoint, params string[] topics) =>
        context.ZeroMqSubscriberStream(endpoint, topics, LastFrameAsText);

    /// <summary>
    /// An input stream of the messages a PUB peer publishes on <paramref name="topics"/>, turned into records by
    /// <paramref name="decode"/> (Spark's <c>bytesToObjects</c>); a message it throws on is reported and skipped.
    /// </summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <param name="context">The streaming context.</param>
    /// <param name="endpoint">The PUB peer's endpoint to connect to; prefix <c>@</c> to bind instead.</param>
    /// <param name="topics">The topics to subscribe to; at least one.</param>
    /// <param name="decode">Turns a (multipart) message into a record; throws on a message it cannot read.</param>
    public static DStream<T> ZeroMqSubscriberStream<T>(this StreamingContext context, string endpoint, IEnumerable<string> topics, Func<NetMQMessage, T> decode)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(endpoint);
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(decode);
        var list = topics.ToArray();
        if (list.Length == 0)
        {
            throw new ArgumentException("Subscribe to at least one topic (an empty string subscribes to every message).", nameof(topics));
        }

        return context.ReceiverStream(new ZeroMqReceiver<T>(ZeroMqSocketKind.Subscriber, endpoint, list, decode));
    }

    /// <summary>
    /// An input stream of the UTF-8 text of the last frame of each message PUSH peers send to a PULL socket. A message
    /// that is not valid UTF-8 is reported and skipped. At-most-once (see the class remarks).
    /// </summary>
    /// <param name="context">The streaming context.</param>
    /// <param name="endpoint">The PUSH peer's endpoint to connect to, e.g. <c>tcp://127.0.0.1:5557</c>; prefix <c>@</c> to bind (for several pushers).</param>
    public static DStream<string> ZeroMqPullStream(this StreamingContext context, string endpoint) =>
        context.ZeroMqPullStream(endpoint, LastFrameAsText);

    /// <summary>
    /// An input stream of the messages PUSH peers send to a PULL socket, turned into records by
    /// <paramref name="decode"/>; a message it throws on is reported and skipped.
    /// </summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <param name="context">The streaming context.</param>
    /// <param name="endpoint">The PUSH peer's endpoint to connect to; prefix <c>@</c> to bind instead.</param>
    /// <param name="decode">Turns a (multipart) message into a record; throws on a message it cannot read.</param>
    public static DStream<T> ZeroMqPullStream<T>(this StreamingContext context, string endpoint, Func<NetMQMessage, T> decode)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(endpoint);
        ArgumentNullException.ThrowIfNull(decode);
        return context.ReceiverStream(new ZeroMqReceiver<T>(ZeroMqSocketKind.Pull, endpoint, [], decode));
    }

    private static string LastFrameAsText(NetMQMessage message) => StrictUtf8.GetString(message.Last.ToByteArray());
}
