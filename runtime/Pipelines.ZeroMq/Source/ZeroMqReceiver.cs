using NetMQ;
using NetMQ.Sockets;

namespace Pipelines.ZeroMq;

/// <summary>
/// A receiver over a NetMQ SUB or PULL socket, read on a thread of its own (NetMQ sockets belong to one thread).
/// ZeroMQ reconnects to its peers by itself; messages are stored as they arrive: at-most-once.
/// </summary>
internal sealed class ZeroMqReceiver<T>(ZeroMqSocketKind kind, string endpoint, IReadOnlyList<string> topics, Func<NetMQMessage, T> decode) : Receiver<T>
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);

    public override string? SourceIdentity => $"zeromq-{(kind == ZeroMqSocketKind.Subscriber ? "sub" : "pull")}:{endpoint}";

    public override void OnStart() => StartWorker(token => Task.Factory.StartNew(() => Receive(token), token, TaskCreationOptions.LongRunning, TaskScheduler.Default));

    public override void OnStop()
    {
    }

    private void Receive(CancellationToken cancellationToken)
    {
        using NetMQSocket socket = kind == ZeroMqSocketKind.Subscriber ? new SubscriberSocket() : new PullSocket();
        Attach(socket, endpoint);
        if (socket is SubscriberSocket subscriber)
        {
            foreach (var topic in topics)
            {
                subscriber.Subscribe(topic);
            }
        }

        var message = new NetMQMessage();
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!socket.TryReceiveMultipartMessage(PollTimeout, ref message))
            {
                continue;
            }

            T record;
            try
            {
                record = decode(message);
            }
            catch (Exception error)
            {
                ReportError(
                    $"ZeroMQ message from '{endpoint}' ({message.FrameCount} frame(s), first frame '{Preview(message)}') could not be decoded and is skipped: {error.Message}",
                    new InvalidDataException($"ZeroMQ message from '{endpoint}' could not be decoded: {error.Message}", error));
                continue;
            }

            Store(record);
        }
    }

    /// <summary>Connects the socket, or binds it when the endpoint starts with <c>@</c> (NetMQ's convention; <c>&gt;</c> connects).</summary>
    private static void Attach(NetMQSocket socket, string endpoint)
    {
        if (endpoint.StartsWith('@'))
        {
            socket.Bind(endpoint[1..]);
        }
        else
        {
            socket.Connect(endpoint.TrimStart('>'));
        }
    }

    private static string Preview(NetMQMessage message)
    {
        if (message.IsEmpty)
        {
            return string.Empty;
        }

        var bytes = message.First.ToByteArray();
        return Convert.ToHexString(bytes, 0, Math.Min(bytes.Length, 16));
    }
}
