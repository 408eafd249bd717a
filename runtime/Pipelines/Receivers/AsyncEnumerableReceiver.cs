namespace Pipelines.Receivers;

/// <summary>
/// Feeds <see cref="StreamingContext.AsyncEnumerableStream{T}"/>: enumerates the sequence once, storing each item.
/// Pulls the next item only after <see cref="Receiver{T}.Store(T)"/> returned, so rate limits and backpressure slow
/// the enumeration. The end of the sequence stops the receiver; an exception stops it with the error (the sequence
/// is not enumerated again, since a second enumeration could start over and duplicate records).
/// </summary>
internal sealed class AsyncEnumerableReceiver<T>(IAsyncEnumerable<T> source) : Receiver<T>
{
    private int _started;

    public override void OnStart()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            Stop("An IAsyncEnumerable source is enumerated once and is not restarted");
            return;
        }

        StartWorker(ReceiveAsync);
    }

    public override void OnStop()
    {
    }

    private async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var item in source.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                Store(item);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception error)
        {
            Stop("The IAsyncEnumerable source of AsyncEnumerableStream threw: the stream receives nothing more", error);
            return;
        }

        Stop("The IAsyncEnumerable source of AsyncEnumerableStream ended");
    }
}
