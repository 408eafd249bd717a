namespace Pipelines.Outputs;

/// <summary>
/// The observable behind <see cref="DStream{T}.ToObservable"/>: a hot subject with copy-on-write subscriptions.
/// <see cref="OnNext"/> calls each observer in turn on the job loop's thread; after <see cref="Complete"/>, new
/// subscribers get the completion (or the error) at once.
/// </summary>
internal sealed class BatchSubject<T> : IObservable<StreamBatch<T>>
{
    private readonly object _gate = new();
    private IObserver<StreamBatch<T>>[] _observers = [];
    private bool _completed;
    private Exception? _error;

    public bool HasObservers => Volatile.Read(ref _observers).Length != 0;

    public IDisposable Subscribe(IObserver<StreamBatch<T>> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        lock (_gate)
        {
            if (!_completed)
            {
                _observers = [.. _observers, observer];
                return new Subscription(this, observer);
            }
        }

        if (_error is { } error)
        {
            observer.OnError(error);
        }
        else
        {
            observer.OnCompleted();
        }

        return new Subscription(this, observer);
    }

    public void OnNext(StreamBatch<T> batch)
    {
        foreach (var observer in Volatile.Read(ref _observers))
        {
            observer.OnNext(batch);
        }
    }

    public void Complete(Exception? error)
    {
        IObserver<StreamBatch<T>>[] observers;
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            _error = error;
            observers = _observers;
            _observers = [];
        }

        foreach (var observer in observers)
        {
            if (error is null)
            {
                observer.OnCompleted();
            }
            else
            {
                observer.OnError(error);
            }
        }
    }

    private void Remove(IObserver<StreamBatch<T>> observer)
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_observers, observer);
            if (index >= 0)
            {
                _observers = [.. _observers[..index], .. _observers[(index + 1)..]];
            }
        }
    }

    private sealed class Subscription(BatchSubject<T> subject, IObserver<StreamBatch<T>> observer) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                subject.Remove(observer);
            }
        }
    }
}
