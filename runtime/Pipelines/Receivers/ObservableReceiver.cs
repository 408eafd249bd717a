namespace Pipelines.Receivers;

/// <summary>
/// Feeds <see cref="StreamingContext.ObservableStream{T}"/>: subscribes when the receiver starts and unsubscribes
/// when it stops. <c>OnNext</c> stores the value on the producer's thread, so a rate limit (or backpressure) makes
/// the producer wait. <c>OnCompleted</c> stops the receiver; <c>OnError</c> stops it with the error. Values pushed
/// after the receiver stopped are not accepted.
/// </summary>
internal sealed class ObservableReceiver<T>(IObservable<T> source) : Receiver<T>, IObserver<T>
{
    private IDisposable? _subscription;

    public override void OnStart() => Volatile.Write(ref _subscription, source.Subscribe(this));

    public override void OnStop() => Interlocked.Exchange(ref _subscription, null)?.Dispose();

    void IObserver<T>.OnNext(T value)
    {
        if (StoppingToken.IsCancellationRequested)
        {
            return;
        }

        try
        {
            Store(value);
        }
        catch (InvalidOperationException) when (StoppingToken.IsCancellationRequested)
        {
            // The context stopped while the value was being stored: it is not accepted.
        }
    }

    void IObserver<T>.OnError(Exception error) =>
        Stop("The IObservable source of ObservableStream signalled an error: the stream receives nothing more", error);

    void IObserver<T>.OnCompleted() => Stop("The IObservable source of ObservableStream completed");
}
