namespace Pipelines;

/// <summary>
/// A custom source of records (Spark's <c>Receiver</c>). Attach it with
/// <see cref="StreamingContext.ReceiverStream{T}(Receiver{T})"/>. When the context starts, <see cref="OnStart"/> is
/// called: it must not block, but start the receiver's own work (with <see cref="StartWorker"/>, or its own threads)
/// and return. That work hands records to <see cref="Store(T)"/>; the records stored in
/// (t - batch interval, t] form the batch at time t. When the context stops, or the receiver stops or restarts,
/// <see cref="OnStop"/> is called and <see cref="StoppingToken"/> is cancelled.
/// </summary>
/// <remarks>
/// Errors: an exception thrown by <see cref="OnStart"/>, or by a worker started with <see cref="StartWorker"/>, is
/// reported to the listeners (<see cref="IStreamingListener.OnReceiverError"/>) and logged, and the receiver is
/// restarted after <see cref="StreamingOptions.ReceiverRestartDelay"/>; the stream keeps going. A receiver that
/// cannot go on calls <see cref="Stop"/> with the error: the stream then receives nothing more and
/// <see cref="StreamingContext.AwaitTerminationAsync"/> throws a <see cref="ReceiverException"/>.
/// </remarks>
/// <typeparam name="T">The type of the records.</typeparam>
/// <example>
/// <code>
/// sealed class CounterReceiver : Receiver&lt;int&gt;
/// {
///     public override void OnStart() => StartWorker(async token =>
///     {
///         for (var i = 0; !token.IsCancellationRequested; i++)
///         {
///             Store(i);
///             await Task.Delay(10, token);
///         }
///     });
///
///     public override void OnStop() { } // the worker ends when StoppingToken is cancelled
/// }
///
/// var numbers = ssc.ReceiverStream(new CounterReceiver());
/// </code>
/// </example>
public abstract class Receiver<T>
{
    private Receivers.ReceiverSupervisor<T>? _supervisor;

    /// <summary>Called when the receiver starts (and again after each restart). Must not block.</summary>
    public abstract void OnStart();

    /// <summary>
    /// Called when the receiver stops or restarts: release what <see cref="OnStart"/> acquired. Work started with
    /// <see cref="StartWorker"/> is told to end through <see cref="StoppingToken"/>.
    /// </summary>
    public abstract void OnStop();

    /// <summary>
    /// What this receiver reads from, e.g. <c>host:port</c> or a topic and consumer group; <c>null</c> (the default)
    /// when it has no stable identity. Checkpoints record it, and recovering from a checkpoint written while the same
    /// stream read from another source fails with a <see cref="CheckpointException"/> (or starts fresh with
    /// <see cref="CheckpointOptions.DiscardIncompatible"/>), as a changed pipeline definition does. Override it in
    /// connectors whose source can change between runs.
    /// </summary>
    public virtual string? SourceIdentity => null;

    /// <summary>The id of the input stream this receiver feeds (Spark's <c>streamId</c>).</summary>
    /// <exception cref="InvalidOperationException">The receiver is not attached to a context.</exception>
    public int StreamId => Supervisor.StreamId;

    /// <summary>Whether the receiver has started and not stopped (it is not started while it waits to restart).</summary>
    public bool IsStarted => _supervisor?.IsReceiverStarted ?? false;

    /// <summary>Whether the receiver is stopped: before it starts, while it waits to restart, and after it stops.</summary>
    public bool IsStopped => !IsStarted;

    /// <summary>Cancelled when the current run of the receiver stops (on stop, restart, or when the context stops).</summary>
    public CancellationToken StoppingToken => _supervisor?.RunToken ?? new CancellationToken(canceled: true);

    /// <summary>The context's clock; use it for the receiver's own delays so that tests can drive them.</summary>
    protected TimeProvider TimeProvider => _supervisor?.TimeProvider ?? TimeProvider.System;

    /// <summary>
    /// Hands one record to the stream; it goes into the batch of the current interval. When a rate limit is set
    /// (<see cref="BackpressureOptions.MaxRatePerReceiver"/>, or backpressure), this waits as needed to keep to it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The receiver is not attached, or its context has stopped.</exception>
    public void Store(T record) => Supervisor.Push(record);

    /// <summary>Hands several records to the stream, in order.</summary>
    public void Store(IEnumerable<T> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        Supervisor.PushRange(records);
    }

    /// <summary>Hands several records to the stream, in order.</summary>
    public void Store(ReadOnlySpan<T> records) => Supervisor.PushRange(records);

    /// <summary>
    /// Stores a block of records reliably (Spark's <c>store</c> of a whole block by a reliable receiver): when
    /// the context checkpoints with <see cref="CheckpointOptions.ReceiverWriteAheadLog"/>, the task completes once
    /// the block is in the write-ahead log on disk, so the receiver may then acknowledge it to its source; after
    /// a failure it is replayed. Without the log, it completes once the block is buffered. Records stored with
    /// <see cref="Store(T)"/> are logged only when their batch is cut, so they can be lost in a crash.
    /// </summary>
    /// <exception cref="CheckpointException">The write-ahead log cannot be written (e.g. the disk is full): do not acknowledge.</exception>
    /// <exception cref="InvalidOperationException">The receiver is not attached, or its context has stopped.</exception>
    public Task StoreAsync(IEnumerable<T> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        cancellationToken.ThrowIfCancellationRequested();
        Supervisor.PushBlock(records as IReadOnlyCollection<T> ?? records.ToArray());
        return Task.CompletedTask;
    }

    /// <summary>
    /// Restarts the receiver asynchronously (Spark's <c>restart</c>): reports <paramref name="error"/> if given,
    /// stops the receiver (<see cref="OnStop"/>), waits <see cref="StreamingOptions.ReceiverRestartDelay"/> on the
    /// context's clock, then starts it again (<see cref="OnStart"/>). Returns at once; safe to call from a worker.
    /// </summary>
    public void Restart(string message, Exception? error = null) => Supervisor.Restart(message, error, delay: null);

    /// <summary>Restarts the receiver after <paramref name="delay"/> instead of the configured restart delay.</summary>
    public void Restart(string message, Exception? error, TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        Supervisor.Restart(message, error, delay);
    }

    /// <summary>
    /// Stops the receiver for good (Spark's <c>stop</c>): <see cref="OnStop"/> runs, nothing more is received and it
    /// is not restarted. With an <paramref name="error"/>, the error is reported to the listeners and
    /// <see cref="StreamingContext.AwaitTerminationAsync"/> throws a <see cref="ReceiverException"/> carrying it.
    /// </summary>
    public void Stop(string message, Exception? error = null) => Supervisor.StopForGood(message, error);

    /// <summary>
    /// Reports an error without stopping (Spark's <c>reportError</c>): it is logged and listeners get
    /// <see cref="IStreamingListener.OnReceiverError"/>.
    /// </summary>
    public void ReportError(string message, Exception? error) => Supervisor.ReportError(message, error);

    /// <summary>
    /// Runs <paramref name="work"/> in the background for the current run of the receiver, with
    /// <see cref="StoppingToken"/>. If it throws (other than by cancellation after a stop), the error is reported
    /// and the receiver restarted. A graceful stop of the context waits for workers to end.
    /// </summary>
    protected void StartWorker(Func<CancellationToken, Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        Supervisor.StartWorker(work);
    }

    /// <summary>The receiver's type name and stream, for logs.</summary>
    public override string ToString() => _supervisor is null ? GetType().Name : $"{GetType().Name} (stream #{_supervisor.StreamId})";

    /// <summary>Stores a block of decoded lines (a receiver of strings only; see <see cref="Receivers.ReceiverSupervisor{T}.PushLines"/>).</summary>
    internal void StoreLines(Compilation.TextLineBlock block) => Supervisor.PushLines(block);

    internal void Attach(Receivers.ReceiverSupervisor<T> supervisor)
    {
        if (Interlocked.CompareExchange(ref _supervisor, supervisor, null) is not null)
        {
            throw new InvalidOperationException(
                $"This {GetType().Name} is already attached to a stream. Create a new receiver instance for each ReceiverStream call.");
        }
    }

    private Receivers.ReceiverSupervisor<T> Supervisor => _supervisor ?? throw new InvalidOperationException(
        $"This {GetType().Name} is not attached to a stream. Pass it to StreamingContext.ReceiverStream first.");
}
