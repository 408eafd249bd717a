using System.Globalization;
using System.Text;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace Pipelines.Nats;

/// <summary>Output operations that publish a stream's records to NATS.</summary>
public static class NatsSinkExtensions
{
    /// <summary>
    /// Publishes each batch's records as UTF-8 text on <paramref name="subject"/>, in order, through
    /// <paramref name="connection"/> (owned by the caller; dispose it after the context). See
    /// <see cref="NatsPublishOptions.JetStream"/> for the guarantee.
    /// </summary>
    /// <param name="stream">The records to publish.</param>
    /// <param name="connection">An open or openable NATS connection.</param>
    /// <param name="subject">The subject to publish on.</param>
    /// <param name="options">Core or JetStream publishing; <c>null</c> for core NATS.</param>
    /// <example>
    /// <code>
    /// await using var nats = new NatsConnection(new NatsOpts { Url = "nats://127.0.0.1:4222" });
    /// alerts.SaveToNats(nats, "alerts", new NatsPublishOptions { JetStream = true });
    /// </code>
    /// </example>
    public static void SaveToNats(this DStream<string> stream, INatsConnection connection, string subject, NatsPublishOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        stream.SaveToNats(connection, record => new NatsMessage(subject, Encoding.UTF8.GetBytes(record)), options);
    }

    /// <summary>
    /// Publishes each batch's records, turned into a subject and payload by <paramref name="encode"/>, in order,
    /// through <paramref name="connection"/> (owned by the caller). With core NATS the batch completes once the server
    /// has answered a ping after the last message (it has received them); with
    /// <see cref="NatsPublishOptions.JetStream"/>, once every message is acknowledged as stored. A failed publish fails
    /// the batch's output operation.
    /// </summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <param name="stream">The records to publish.</param>
    /// <param name="connection">An open or openable NATS connection.</param>
    /// <param name="encode">Turns a record into the subject and payload to publish.</param>
    /// <param name="options">Core or JetStream publishing; <c>null</c> for core NATS.</param>
    public static void SaveToNats<T>(this DStream<T> stream, INatsConnection connection, Func<T, NatsMessage> encode, NatsPublishOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(encode);
        options ??= new NatsPublishOptions();
        ArgumentException.ThrowIfNullOrWhiteSpace(options.SinkName);
        var jetStream = options.JetStream ? new NatsJSContext(connection) : null;
        var sinkName = options.SinkName;
        stream.ForEachBatch(async (batch, time, cancellationToken) =>
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var message = encode(batch[i]);
                if (jetStream is null)
                {
                    await connection.PublishAsync(message.Subject, message.Data, cancellationToken: cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var id = string.Create(CultureInfo.InvariantCulture, $"{sinkName}:{time.Milliseconds}:{i}");
                var ack = await jetStream.PublishAsync(message.Subject, message.Data, opts: new NatsJSPubOpts { MsgId = id }, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (!ack.Duplicate)
                {
                    // A duplicate is a message of a replayed batch the stream already holds: nothing to do.
                    ack.EnsureSuccess();
                }
            }

            if (jetStream is null && batch.Count > 0)
            {
                await connection.PingAsync(cancellationToken).ConfigureAwait(false);
            }
        });
    }
}
