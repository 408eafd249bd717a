using NATS.Client.Core;

namespace Pipelines.Nats;

/// <summary>
/// A receiver of core NATS subjects: at-most-once, as core NATS delivers (messages published while the receiver is
/// disconnected or restarting are not delivered to it).
/// </summary>
internal sealed class NatsSubjectReceiver<T>(string url, string subject, string? queueGroup, Func<NatsMessage, T> decode) : Receiver<T>
{
    public override string? SourceIdentity => $"nats:{subject}";

    public override void OnStart() => StartWorker(ReceiveAsync);

    public override void OnStop()
    {
    }

    private async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NatsConnection(new NatsOpts { Url = url, Name = $"pipelines-{subject}" });
        await connection.ConnectAsync().ConfigureAwait(false);
        await foreach (var message in connection.SubscribeAsync<byte[]>(subject, queueGroup, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            T record;
            try
            {
                record = decode(new NatsMessage(message.Subject, message.Data ?? []));
            }
            catch (Exception error)
            {
                ReportError(
                    $"NATS message on '{message.Subject}' could not be decoded and is skipped: {error.Message}",
                    new InvalidDataException($"NATS message on '{message.Subject}' could not be decoded: {error.Message}", error));
                continue;
            }

            Store(record);
        }
    }
}
