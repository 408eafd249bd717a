using Microsoft.Extensions.Logging;
using Pipelines.Backpressure;

namespace Pipelines.Receivers;

/// <summary>
/// Runs one <see cref="Receiver{T}"/> for its input stream (Spark's <c>ReceiverSupervisor</c>): starts it, restarts
/// it after errors, stops it with the context, and collects the records it stores until the next batch takes them.
/// </summary>
/// <typeparam name="T">The type of the records.</typeparam>
internal sealed class ReceiverSupervisor<T>
{
    private static readonly CancellationToken Cancelled = new(canceled: true);

    private readonly object _gate = new();

    // Serializes the receiver's OnStart and OnStop, so that a stop never runs OnStop while OnStart is still running.
    private readonly object _lifecycle = new();
    private readonly StreamingContext _context;
    private readonly Receiver<T> _receiver;
    private readonly IInputStreamIdentity _stream;
    private readonly ILogger _logger;
    private readonly RecordBuffer<T> _buffer;
    private readonly RateLimiter _limiter;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly List<Task> _workers = [];
    private CancellationTokenSource? _run;
    private bool _active;
    private bool _started;
    private bool _finished;
    private bool _restartPending;

    public ReceiverSupervisor(StreamingContext context, Receiver<T> receiver, IInputStreamIdentity stream)
    {
        _context = context;
        _receiver = receiver;
        _stream = stream;
        _buffer = new RecordBuffer<T>(receiver.GetType().Name, context.TimeProvider, context.Options.BlockInterval, context.Options.InputPartitionRecords);
        _logger = context.LoggerFactory.CreateLogger(typeof(Receiver<>).Namespace + ".Receiver." + receiver.GetType().Name);
        _limiter = context.RateController.CreateLimiter();
    }

    public int StreamId => _stream.Id;

    public string ReceiverName => _receiver.GetType().Name;

    /// <summary>Records per second the receiver may store now (<see cref="double.PositiveInfinity"/> when unlimited).</summary>
    public double RateLimit => _limiter.Rate;

    public TimeProvider TimeProvider => _context.TimeProvider;

    public bool IsReceiverStarted
    {
        get
        {
            lock (_gate)
            {
                return _started;
            }
        }
    }

    public CancellationToken RunToken
    {
        get
        {
            lock (_gate)
            {
                return _started && _run is not null ? _run.Token : Cancelled;
            }
        }
    }

    /// <summary>Records stored so far and not yet taken by a batch.</summary>
    public int PendingCount => BlockLog?.PendingCount ?? _buffer.Count;

    /// <summary>The write-ahead log of received blocks, when checkpointing enables it (set before the context starts).</summary>
    public Checkpointing.ReceivedBlockLog<T>? BlockLog { get; set; }

    /// <summary>Starts the receiver, when the context starts.</summary>
    public void Start()
    {
        lock (_gate)
        {
            _active = true;
        }

        StartReceiver();
    }

    /// <summary>Takes the records stored since the previous batch.</summary>
    public Batch<T> TakeBatch() => _buffer.Take();

    public void Push(T record)
    {
        _limiter.Acquire(1, _lifetime.Token);
        if (BlockLog is { } log)
        {
            log.Add(record, ReceiverName);
            return;
        }

        _buffer.Add(record);
    }

    /// <summary>
    /// Stores a block reliably: with the write-ahead log, it is on disk when this returns; without, it is buffered.
    /// </summary>
    public void PushBlock(IReadOnlyCollection<T> records)
    {
        if (!double.IsPositiveInfinity(_limiter.Rate) && records.Count > 0)
        {
            _limiter.Acquire(records.Count, _lifetime.Token);
        }

        if (BlockLog is { } log)
        {
            log.StoreBlock(records, ReceiverName);
            return;
        }

        _buffer.AddRange(records);
    }

    /// <summary>
    /// Stores a block of decoded lines (a receiver of strings only). Without a rate limit and a write-ahead log the
    /// block is kept as it is, and the batch's strings are created only if a reader needs them; otherwise (the log
    /// must hold the exact records, the limiter meters them one by one) its lines are stored as strings. Either
    /// way the block's buffers go back to their pool.
    /// </summary>
    public void PushLines(Compilation.TextLineBlock block)
    {
        if (block.LineCount == 0)
        {
            block.Release();
            return;
        }

        if (double.IsPositiveInfinity(_limiter.Rate) && BlockLog is null)
        {
            try
            {
                ((RecordBuffer<string>)(object)_buffer).AddLines(block);
            }
            catch
            {
                block.Release();
                throw;
            }

            return;
        }

        var lines = new string[block.LineCount];
        for (var i = 0; i < lines.Length; i++)
        {
            lines[i] = new string(block.GetLine(i));
        }

        block.Release();
        ((ReceiverSupervisor<string>)(object)this).PushRange(new ReadOnlySpan<string>(lines));
    }

    public void PushRange(IEnumerable<T> records)
    {
        if (double.IsPositiveInfinity(_limiter.Rate) && BlockLog is null)
        {
            _buffer.AddRange(records);
            return;
        }

        foreach (var record in records)
        {
            Push(record);
        }
    }

    public void PushRange(ReadOnlySpan<T> records)
    {
        if (double.IsPositiveInfinity(_limiter.Rate))
        {
            if (BlockLog is { } log)
            {
                log.AddRange(records, ReceiverName);
                return;
            }

            _buffer.AddRange(records);
            return;
        }

        foreach (var record in records)
        {
            Push(record);
        }
    }

    public void ReportError(string message, Exception? error)
    {
        _logger.LogError(error, "Receiver {Receiver} of input stream #{StreamId} reported an error: {Message}", ReceiverName, StreamId, message);
        _context.Listeners.ReceiverError(Info(message, error));
    }

    public void StartWorker(Func<CancellationToken, Task> work)
    {
        var token = RunToken;
        var worker = Task.Run(async () =>
        {
            try
            {
                await work(token).ConfigureAwait(false);
            }
            catch (Exception error) when (token.IsCancellationRequested)
            {
                _logger.LogDebug(error, "A worker of receiver {Receiver} ended with an error after the receiver stopped", ReceiverName);
            }
            catch (Exception error)
            {
                Restart($"A worker of receiver {ReceiverName} failed: {error.Message}", error, delay: null);
            }
        });

        lock (_gate)
        {
            _workers.RemoveAll(static w => w.IsCompleted);
            _workers.Add(worker);
        }
    }

    public void Restart(string message, Exception? error, TimeSpan? delay)
    {
        lock (_gate)
        {
            if (_finished || _restartPending)
            {
                return;
            }

            _restartPending = true;
        }

        var wait = delay ?? _context.Options.ReceiverRestartDelay;
        _ = Task.Run(() => RestartAsync(message, error, wait));
    }

    /// <summary>The receiver stops itself for good; with an error, the context fails with a <see cref="ReceiverException"/>.</summary>
    public void StopForGood(string message, Exception? error)
    {
        lock (_gate)
        {
            if (_finished)
            {
                return;
            }

            _finished = true;
        }

        if (error is not null)
        {
            ReportError(message, error);
        }

        StopReceiver(message, error);
        if (error is not null)
        {
            _context.ReportError(new ReceiverException(StreamId, ReceiverName, message, error));
        }
    }

    /// <summary>Stops the receiver when the context stops, and waits (up to the stop timeout) for its workers to end.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _finished = true;
        }

        await _lifetime.CancelAsync().ConfigureAwait(false);
        StopReceiver("The StreamingContext is stopping", null);
        Task[] workers;
        lock (_gate)
        {
            workers = [.. _workers];
            _workers.Clear();
        }

        try
        {
            await Task.WhenAll(workers).WaitAsync(_context.Options.StopTimeout, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning(
                "Workers of receiver {Receiver} (input stream #{StreamId}) did not end within {Timeout} of the stop; make them observe StoppingToken",
                ReceiverName,
                StreamId,
                _context.Options.StopTimeout);
        }
        finally
        {
            _buffer.Close();
            BlockLog?.Close();
        }
    }

    private void StartReceiver()
    {
        lock (_lifecycle)
        {
            lock (_gate)
            {
                if (!_active || _finished || _started)
                {
                    return;
                }

                _run = new CancellationTokenSource();
                _started = true;
            }

            try
            {
                _receiver.OnStart();
            }
            catch (Exception error)
            {
                Restart($"Error starting receiver {ReceiverName}: {error.Message}", error, delay: null);
                return;
            }

            // OnStart returned, so the receiver started, even if a worker already failed and asked for a restart (the
            // restart announces its own start). Only a receiver that stopped for good in OnStart has no start to announce.
            bool finished;
            lock (_gate)
            {
                finished = _finished;
            }

            if (!finished)
            {
                _logger.LogInformation("Receiver {Receiver} of input stream #{StreamId} started", ReceiverName, StreamId);
                _context.Listeners.ReceiverStarted(Info(null, null));
            }
        }
    }

    private void StopReceiver(string message, Exception? error)
    {
        CancellationTokenSource? run;
        lock (_gate)
        {
            if (!_started)
            {
                return;
            }

            _started = false;
            run = _run;
        }

        try
        {
            run?.Cancel();
        }
        catch (AggregateException callbackErrors)
        {
            _logger.LogError(callbackErrors, "A cancellation callback of receiver {Receiver} threw", ReceiverName);
        }

        // Only the caller that flipped the state gets here, so a worker that calls Stop while OnStop waits for it
        // returns above instead of waiting for this lock.
        lock (_lifecycle)
        {
            try
            {
                _receiver.OnStop();
            }
            catch (Exception stopError)
            {
                _logger.LogError(stopError, "OnStop of receiver {Receiver} (input stream #{StreamId}) threw; the receiver is stopped anyway", ReceiverName, StreamId);
            }
        }

        _logger.LogInformation("Receiver {Receiver} of input stream #{StreamId} stopped: {Message}", ReceiverName, StreamId, message);
        _context.Listeners.ReceiverStopped(Info(message, error));
    }

    private async Task RestartAsync(string message, Exception? error, TimeSpan delay)
    {
        try
        {
            if (error is not null)
            {
                ReportError(message, error);
            }
            else
            {
                _logger.LogWarning("Restarting receiver {Receiver} of input stream #{StreamId} in {Delay}: {Message}", ReceiverName, StreamId, delay, message);
            }

            StopReceiver($"Restarting in {delay}: {message}", error);
            await Task.Delay(delay, _context.TimeProvider, _lifetime.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        finally
        {
            lock (_gate)
            {
                _restartPending = false;
            }
        }

        StartReceiver();
    }

    private ReceiverInfo Info(string? message, Exception? error) => new(StreamId, ReceiverName, message, error);
}

/// <summary>What the supervisor needs of its stream: the id, known once the stream is registered.</summary>
internal interface IInputStreamIdentity
{
    int Id { get; }
}
