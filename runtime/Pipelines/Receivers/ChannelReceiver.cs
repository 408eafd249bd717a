using System.Threading.Channels;

namespace Pipelines.Receivers;

/// <summary>
/// Feeds <see cref="StreamingContext.ChannelStream{T}"/>: reads the channel, storing each item. Reads the next item
/// only after <see cref="Receiver{T}.Store(T)"/> returned, so with a bounded channel, rate limits and backpressure
/// make the channel's writers wait. Completing the channel stops the receiver; completing it with an exception stops
/// it with that error.
/// </summary>
internal sealed class ChannelReceiver<T>(ChannelReader<T> reader) : Receiver<T>
{
    public override void OnStart() => StartWorker(ReceiveAsync);

    public override void OnStop()
    {
    }

    private async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (!cancellationToken.IsCancellationRequested && reader.TryRead(out var item))
                {
                    Store(item);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception error)
        {
            Stop("The channel of ChannelStream was completed with an error: the stream receives nothing more", error);
            return;
        }

        Stop("The channel of ChannelStream was completed");
    }
}
