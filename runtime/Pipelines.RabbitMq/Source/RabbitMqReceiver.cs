using System.Threading.Channels;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Pipelines.RabbitMq;

/// <summary>
/// A reliable receiver of a RabbitMQ queue with manual acknowledgements: deliveries are gathered into blocks of up
/// to <see cref="RabbitMqStreamOptions.BatchSize"/>, each block is stored with <see cref="Receiver{T}.StoreAsync"/>
/// (in the write-ahead log on disk when the context checkpoints with
/// <see cref="CheckpointOptions.ReceiverWriteAheadLog"/>) and only then acknowledged (one multiple-ack). When the
/// connection or channel closes, the broker requeues what was not acknowledged and the receiver restarts: at-least-once.
/// </summary>
internal sealed class RabbitMqReceiver<T>(RabbitMqStreamOptions options, Func<BasicDeliverEventArgs, T> decode) : Receiver<T>
{
    public override string? SourceIdentity => $"rabbitmq:{options.Uri.Host}:{options.Uri.Port}{options.Uri.AbsolutePath}/{options.Queue}";

    public override void OnStart() => StartWorker(ReceiveAsync);

    public override void OnStop()
    {
    }

    private async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        // No automatic recovery: delivery tags belong to a channel, so after a lost connection the receiver restarts
        // on a new one and the broker redelivers what was not acknowledged.
        var factory = new ConnectionFactory { Uri = options.Uri, AutomaticRecoveryEnabled = false, ClientProvidedName = $"pipelines-{options.Queue}" };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        if (options.DeclareQueue)
        {
            await channel.QueueDeclareAsync(options.Queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        await channel.BasicQosAsync(0, options.Prefetch, global: false, cancellationToken).ConfigureAwait(false);
        var deliveries = Channel.CreateUnbounded<(ulong Tag, T Record, bool Poison)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        channel.ChannelShutdownAsync += (_, reason) =>
        {
            deliveries.Writer.TryComplete(new IOException($"The RabbitMQ channel for queue '{options.Queue}' closed: {reason.ReplyCode} {reason.ReplyText}"));
            return Task.CompletedTask;
        };
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            // The body is valid only during this call: decode (and so copy) it now.
            var poison = !TryDecode(delivery, out var record);
            deliveries.Writer.TryWrite((delivery.DeliveryTag, record, poison));
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(options.Queue, autoAck: false, consumer, cancellationToken).ConfigureAwait(false);

        var block = new List<T>(options.BatchSize);
        while (await deliveries.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            block.Clear();
            ulong lastTag = 0;
            while (block.Count < options.BatchSize && deliveries.Reader.TryRead(out var delivery))
            {
                if (delivery.Poison)
                {
                    // Rejected without requeue: the broker dead-letters it if the queue has a dead-letter exchange.
                    await channel.BasicRejectAsync(delivery.Tag, requeue: false, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                block.Add(delivery.Record);
                lastTag = delivery.Tag;
            }

            if (block.Count == 0)
            {
                continue;
            }

            // Acknowledged only once the block is in the write-ahead log: if the app dies before this, the broker
            // requeues the deliveries when the connection drops.
            await StoreAsync(block, cancellationToken).ConfigureAwait(false);
            await channel.BasicAckAsync(lastTag, multiple: true, cancellationToken).ConfigureAwait(false);
        }

        // The channel closed (e.g. the broker restarted): restart on a new connection.
        await deliveries.Reader.Completion.ConfigureAwait(false);
    }

    private bool TryDecode(BasicDeliverEventArgs delivery, out T record)
    {
        try
        {
            record = decode(delivery);
            return true;
        }
        catch (Exception error)
        {
            ReportError(
                $"RabbitMQ queue '{options.Queue}' delivery {delivery.DeliveryTag} (message id '{delivery.BasicProperties.MessageId}') could not be decoded and is rejected without requeue (dead-lettered if the queue has a dead-letter exchange): {error.Message}",
                new InvalidDataException($"RabbitMQ queue '{options.Queue}' delivery {delivery.DeliveryTag} could not be decoded: {error.Message}", error));
            record = default!;
            return false;
        }
    }
}
