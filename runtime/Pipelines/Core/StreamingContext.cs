using Microsoft.Extensions.Logging;
using Pipelines.Scheduling;
using Pipelines.Sources;

namespace Pipelines;

/// <summary>
/// The entry point of a streaming computation (Spark's <c>StreamingContext</c>): it creates input streams,
/// cuts time into batches of <see cref="BatchInterval"/> and runs the registered output operations on each
/// batch, one batch at a time, in registration order.
/// </summary>
/// <example>
/// <code>
/// await using var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
/// var lines = ssc.SocketTextStream("127.0.0.1", 9999);
/// lines.FlatMap(line => line.Split(' ')).Map(word => (word, 1)).ReduceByKey((a, b) => a + b).Print();
/// ssc.Start();
/// await ssc.AwaitTerminationAsync();
/// </code>
/// </example>
public sealed partial class StreamingContext : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly List<IInputDStream> _inputs = [];
    private readonly List<OutputOperation> _outputs = [];
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _logger;
    private JobScheduler? _scheduler;
    private TimeSpan _rememberDuration;
    private Exception? _firstError;
    private Task? _stopping;

    /// <summary>Creates a context that cuts batches every <paramref name="batchInterval"/>.</summary>
    /// <param name="batchInterval">The batch interval: positive and a whole number of milliseconds.</param>
    /// <param name="options">Settings; <c>null</c> for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">The interval is not positive or not whole milliseconds.</exception>
    public StreamingContext(TimeSpan batchInterval, StreamingOptions? options = null)
    {
        Durations.RequirePositiveMilliseconds(batchInterval, nameof(batchInterval), "batch interval");
        BatchInterval = batchInterval;
        Options = options ?? new StreamingOptions();
        _logger = Options.LoggerFactory.CreateLogger<StreamingContext>();
        Listeners = new ListenerBus(Options.Listeners, _logger);
    }

    /// <summary>The batch interval.</summary>
    public TimeSpan BatchInterval { get; }

    /// <summary>The settings this context was created with.</summary>
    public StreamingOptions Options { get; }

    /// <summary>Whether the context is new, running or stopped.</summary>
    public StreamingContextState State { get; private set; } = StreamingContextState.Initialized;

    /// <summary>The clock that cuts batches.</summary>
    public TimeProvider TimeProvider => Options.TimeProvider;

    internal ListenerBus Listeners { get; }

    internal ILoggerFactory LoggerFactory => Options.LoggerFactory;

    internal IReadOnlyList<IInputDStream> Inputs => _inputs;

    internal IReadOnlyList<OutputOperation> Outputs => _outputs;

    internal JobScheduler? Scheduler => _scheduler;

    /// <summary>Completes once the context has stopped (whoever stopped it), unlike <see cref="AwaitTerminationAsync"/>, which also ends on the first error.</summary>
    internal Task Stopped => _terminated.Task;

    /// <summary>Every stream the outputs depend on, once the context started.</summary>
    internal StreamGraph? Graph { get; private set; }

    /// <summary>Batches cut and waiting behind the batch in flight (0 before the start and after the stop).</summary>
    public int QueuedBatches => _scheduler?.QueuedBatches ?? 0;

    /// <summary>
    /// Whether the context is falling behind: the scheduling delay grew over several batches in a row and exceeds
    /// the batch interval (Spark's stability rule: batches must be processed as fast as they are cut). Listeners
    /// get <see cref="IStreamingListener.OnFallingBehind"/> and <see cref="IStreamingListener.OnCaughtUp"/>.
    /// </summary>
    public bool IsFallingBehind => _scheduler?.IsFallingBehind ?? false;

    /// <summary>Adds a listener for batch and receiver events.</summary>
    public void AddStreamingListener(IStreamingListener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        Listeners.Add(listener);
    }

    /// <summary>
    /// Keeps every stream's batches for at least <paramref name="duration"/> (Spark's <c>remember</c>), e.g. so
    /// that <c>Slice</c> can look back that far.
    /// </summary>
    public void Remember(TimeSpan duration)
    {
        Durations.RequirePositiveMilliseconds(duration, nameof(duration), "remember duration");
        EnsureCanAddOperation(nameof(Remember));
        _rememberDuration = duration;
    }

    /// <summary>
    /// Starts receiving and processing. Batches are cut at <c>zero + k * BatchInterval</c>, where zero is the
    /// current time rounded down to the interval.
    /// </summary>
    /// <exception cref="InvalidOperationException">The context was started before, was stopped, or has no output operation.</exception>
    public void Start()
    {
        lock (_gate)
        {
            switch (State)
            {
                case StreamingContextState.Active:
                    throw new InvalidOperationException("The StreamingContext has already been started. Start() may be called only once.");
                case StreamingContextState.Stopped:
                    throw new InvalidOperationException("The StreamingContext has been stopped and cannot be restarted. Create a new StreamingContext.");
            }

            if (_outputs.Count == 0)
            {
                throw new InvalidOperationException(
                    "No output operations registered, so nothing to execute. Register an output operation such as Print(), ForEachBatch() or SaveAsTextFiles() before calling Start().");
            }

            var now = TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            var interval = BatchTime.ToMilliseconds(BatchInterval);
            var zero = StartCheckpointing(new BatchTime(Math.DivRem(now, interval, out var rem) * interval - (rem < 0 ? interval : 0)));
            Graph = StreamGraph.Build(_outputs);
            Graph.Initialize(zero);
            Graph.Validate();
            Graph.Remember(_rememberDuration);

            _checkpointing?.Prepare(zero);
            _scheduler = new JobScheduler(this, zero);
            State = StreamingContextState.Active;
            _scheduler.Start();
            RegisterShutdownSignals();
            Listeners.StreamingStarted(zero);
            _logger.LogInformation("StreamingContext started at zero time {ZeroTime} with batch interval {BatchInterval}", zero, BatchInterval);
        }
    }

    /// <summary>
    /// Stops the context. A graceful stop (the default here; Spark's <c>stop()</c> is not graceful) stops the
    /// receivers, then finishes the batches already cut, running their outputs; a non-graceful stop cancels the
    /// batch in flight and drops queued ones. Either waits at most <see cref="StreamingOptions.StopTimeout"/> for
    /// the job loop (a graceful stop then cancels the batch in flight and waits once more). <see cref="DisposeAsync"/>
    /// stops non-gracefully.
    /// </summary>
    /// <remarks>
    /// The call never blocks: the stop runs in the background and the task completes once the context has
    /// stopped, for every caller (a second call waits for the first stop; its <paramref name="graceful"/> is
    /// ignored). Cancelling <paramref name="cancellationToken"/> ends this caller's wait only; the stop goes on.
    /// Called from inside an output operation (e.g. <c>ForEachBatch</c>), which the stop would otherwise wait for,
    /// it only starts the stop and returns a completed task; the stop completes after the output returns.
    /// </remarks>
    public Task StopAsync(bool graceful = true, CancellationToken cancellationToken = default)
    {
        Task stopping;
        lock (_gate)
        {
            if (_stopping is null)
            {
                var scheduler = _scheduler;
                State = StreamingContextState.Stopped;
                _stopping = StopCoreAsync(scheduler, graceful);
            }

            stopping = _stopping;
        }

        if (JobScheduler.IsRunningOutputOf(_scheduler))
        {
            return Task.CompletedTask;
        }

        return stopping.WaitAsync(cancellationToken);
    }

    private async Task StopCoreAsync(JobScheduler? scheduler, bool graceful)
    {
        // Leave the caller's thread first: stopping takes locks that batch generation may hold.
        await Task.Yield();
        try
        {
            if (scheduler is not null)
            {
                await scheduler.StopAsync(graceful, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception error)
        {
            _logger.LogError(error, "Stopping the StreamingContext failed");
            ReportError(error);
        }
        finally
        {
            DisposeShutdownSignals();
            _logger.LogInformation("StreamingContext stopped (graceful: {Graceful})", graceful);
            _terminated.TrySetResult();
        }
    }

    /// <summary>
    /// Waits until the context stops. Throws the first error of a failed batch or a receiver that gave up
    /// (as Spark's <c>awaitTermination</c> does). A context that checkpoints stops by itself after a failed batch
    /// (the batch is not recorded as completed, so a restart from the checkpoint runs it again); a context
    /// without checkpoints keeps running after a failed batch, so a caller that ends on the error should still
    /// call <see cref="StopAsync"/> (or dispose the context).
    /// </summary>
    public async Task AwaitTerminationAsync(CancellationToken cancellationToken = default)
    {
        await Task.WhenAny(_terminated.Task, _failed.Task).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (Volatile.Read(ref _firstError) is { } error)
        {
            throw error;
        }
    }

    /// <summary>Stops the context without waiting for queued batches.</summary>
    public async ValueTask DisposeAsync() => await StopAsync(graceful: false).ConfigureAwait(false);

    /// <summary>
    /// An input stream fed from <paramref name="queue"/> (Spark's <c>queueStream</c>): at each batch time it
    /// takes one queued collection (or all of them when <paramref name="oneAtATime"/> is false); when the queue
    /// is empty the batch is <paramref name="defaultBatch"/>, or empty. Items may be enqueued while running.
    /// </summary>
    public DStream<T> QueueStream<T>(System.Collections.Concurrent.ConcurrentQueue<IEnumerable<T>> queue, bool oneAtATime = true, IEnumerable<T>? defaultBatch = null)
    {
        ArgumentNullException.ThrowIfNull(queue);
        return Register(new QueueInputDStream<T>(this, queue, oneAtATime, defaultBatch));
    }

    /// <summary>An input stream that yields <paramref name="batches"/> one per batch time (or all at once), then empty batches.</summary>
    public DStream<T> QueueStream<T>(IEnumerable<IEnumerable<T>> batches, bool oneAtATime = true, IEnumerable<T>? defaultBatch = null)
    {
        ArgumentNullException.ThrowIfNull(batches);
        return QueueStream(new System.Collections.Concurrent.ConcurrentQueue<IEnumerable<T>>(batches.Select(b => (IEnumerable<T>)b.ToArray())), oneAtATime, defaultBatch);
    }

    /// <summary>The union of several streams of the same slide (Spark's <c>StreamingContext.union</c>).</summary>
    public DStream<T> Union<T>(params IEnumerable<DStream<T>> streams)
    {
        ArgumentNullException.ThrowIfNull(streams);
        return new Operators.UnionDStream<T>(this, streams.ToArray());
    }

    internal TInput Register<TInput>(TInput input)
        where TInput : IInputDStream
    {
        lock (_gate)
        {
            input.Id = _inputs.Count;
            _inputs.Add(input);
        }

        return input;
    }

    internal void RegisterOutput(OutputOperation output)
    {
        lock (_gate)
        {
            EnsureCanAddOperation(output.Name);
            output.Id = _outputs.Count;
            _outputs.Add(output);
        }
    }

    internal void EnsureCanAddOperation(string operation)
    {
        if (State != StreamingContextState.Initialized)
        {
            throw new InvalidOperationException(
                $"Cannot add {operation} to a StreamingContext that has been {(State == StreamingContextState.Active ? "started" : "stopped")}. Define every input, transformation and output before calling Start().");
        }
    }

    internal void ReportError(Exception error)
    {
        if (Interlocked.CompareExchange(ref _firstError, error, null) is null)
        {
            _failed.TrySetResult();
        }
    }
}

/// <summary>The life cycle of a <see cref="StreamingContext"/>.</summary>
public enum StreamingContextState
{
    /// <summary>Created; streams and outputs may be defined.</summary>
    Initialized,

    /// <summary>Started; batches are running.</summary>
    Active,

    /// <summary>Stopped; it cannot start again.</summary>
    Stopped,
}
