using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Pipelines.Nats;

/// <summary>
/// A reliable receiver of a JetStream stream through a durable pull consumer with explicit acknowledgement: each
/// fetch is decoded, stored as one block with <see cref="Receiver{T}.StoreAsync"/> (in the write-ahead log on disk
/// when the context checkpoints with <see cref="CheckpointOptions.ReceiverWriteAheadLog"/>), and only then are its
/// messages acknowledged. The server delivers unacknowledged messages again after the consumer's ack wait.
/// </summary>
internal sealed class NatsJetStreamReceiver<T>(NatsJetStreamOptions options, Func<NatsMessage, T> decode) : Receiver<T>
{
    public override string? SourceIdentity => $"nats-jetstream:{options.Stream}/{options.Consumer}";

    public override void OnStart() => StartWorker(ReceiveAsync);

    public override void OnStop()
    {
    }

    private async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NatsConnection(new NatsOpts { Url = options.Url, Name = $"pipelines-{options.Consumer}" });
        await connection.ConnectAsync().ConfigureAwait(false);
        var jetStream = new NatsJSContext(connection);
        var config = new ConsumerConfig(options.Consumer)
        {
            DurableName = options.Consumer,
            AckPolicy = ConsumerConfigAckPolicy.Explicit,
            AckWait = options.AckWait,
            MaxAckPending = Math.Max(1000, options.BatchSize * 4),
        };
        if (options.FilterSubject is { } filter)
        {
            config.FilterSubject = filter;
        }

        var consumer = await jetStream.CreateOrUpdateConsumerAsync(options.Stream, config, cancellationToken).ConfigureAwait(false);
        var fetch = new NatsJSFetchOpts { MaxMsgs = options.BatchSize };
        var messages = new List<INatsJSMsg<byte[]>>(options.BatchSize);
        var block = new List<T>(options.BatchSize);
        while (!cancellationToken.IsCancellationRequested)
        {
            messages.Clear();
            block.Clear();
            await foreach (var message in consumer.FetchNoWaitAsync<byte[]>(fetch, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                messages.Add(message);
            }

            if (messages.Count == 0)
            {
                await Task.Delay(options.PollInterval, TimeProvider, cancellationToken).ConfigureAwait(false);
                continue;
            }

            foreach (var message in messages)
            {
                if (TryDecode(message, out var record))
                {
                    block.Add(record);
                }
                else
                {
                    // A poison message: never delivered again (AckTerm); the stream goes on.
                    await message.AckTerminateAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                }
            }

            // Acknowledged only once the block is in the write-ahead log: after a crash before this, the server
            // delivers them again.
            await StoreAsync(block, cancellationToken).ConfigureAwait(false);
            foreach (var message in messages)
            {
                await message.AckAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private bool TryDecode(INatsJSMsg<byte[]> message, out T record)
    {
        var sequence = message.Metadata?.Sequence.Stream ?? 0;
        try
        {
            record = decode(new NatsMessage(message.Subject, message.Data ?? []));
            return true;
        }
        catch (Exception error)
        {
            ReportError(
                $"JetStream stream '{options.Stream}' message {sequence} on '{message.Subject}' could not be decoded and is terminated (AckTerm: not delivered again to consumer '{options.Consumer}'): {error.Message}",
                new InvalidDataException($"JetStream stream '{options.Stream}' message {sequence} on '{message.Subject}' could not be decoded: {error.Message}", error));
            record = default!;
            return false;
        }
    }
}
