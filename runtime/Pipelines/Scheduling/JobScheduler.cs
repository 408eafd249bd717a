using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Pipelines.Scheduling;

/// <summary>
/// Cuts batches at each batch time (Spark's JobGenerator) and runs their output operations one batch at a
/// time, in registration order (Spark's JobScheduler). Input is sealed on the timer; computation happens on
/// one job loop, so streams never compute concurrently.
/// </summary>
internal sealed partial class JobScheduler
{
    /// <summary>The scheduler whose output operation the current code runs inside, if any.</summary>
    private static readonly AsyncLocal<JobScheduler?> RunningOutput = new();

    private readonly StreamingContext _context;
    private readonly ILogger _logger;
    private readonly Channel<QueuedBatch> _queue = Channel.CreateUnbounded<QueuedBatch>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _hardStop = new();
    private readonly object _gate = new();
    private readonly List<(BatchTime Time, TaskCompletionSource<BatchInfo> Done)> _waiters = [];
    private ITimer? _timer;
    private BatchTime _nextTime;
    private BatchTime _lastCompleted;
    private bool _generating;
    private Task? _loop;

    public JobScheduler(StreamingContext context, BatchTime zeroTime)
    {
        _context = context;
        _logger = context.LoggerFactory.CreateLogger<JobScheduler>();
        ZeroTime = zeroTime;
        _nextTime = zeroTime + context.BatchInterval;
        _lastCompleted = zeroTime;
        for (var i = 0; i < PreparedInputCounts; i++)
        {
            _freeInputCounts.Push(new long[context.Inputs.Count]);
        }
    }

    public BatchTime ZeroTime { get; }

    /// <summary>Whether the caller runs inside an output operation of <paramref name="scheduler"/> (a stop must not wait for it).</summary>
    public static bool IsRunningOutputOf(JobScheduler? scheduler) => scheduler is not null && ReferenceEquals(RunningOutput.Value, scheduler);

    /// <summary>The newest batch time whose outputs all ran.</summary>
    public BatchTime LastCompletedTime
    {
        get
        {
            lock (_gate)
            {
                return _lastCompleted;
            }
        }
    }

    public void Start()
    {
        foreach (var input in _context.Inputs)
        {
            input.Start();
        }

        _loop = Task.Run(RunLoopAsync);
        lock (_gate)
        {
            if (_context.Checkpointing is { } checkpointing)
            {
                ResumeFromCheckpoint(checkpointing);
            }

            _generating = true;
            _timer = _context.TimeProvider.CreateTimer(_ => OnTimer(), null, DueIn(), Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Completes with the batch's info once batch <paramref name="time"/> (and every earlier one) finished.</summary>
    public Task<BatchInfo> WhenCompletedAsync(BatchTime time)
    {
        var done = new TaskCompletionSource<BatchInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (time <= _lastCompleted)
            {
                done.SetResult(new BatchInfo(time, 0, default));
            }
            else
            {
                _waiters.Add((time, done));
            }
        }

        return done.Task;
    }

    public async Task StopAsync(bool graceful, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _generating = false;
            _timer?.Dispose();
        }

        if (!graceful)
        {
            await _hardStop.CancelAsync().ConfigureAwait(false);
        }

        await StopInputsAsync(cancellationToken).ConfigureAwait(false);
        if (graceful)
        {
            GenerateFinalBatchIfPending();
        }

        _queue.Writer.TryComplete();
        if (_loop is not null)
        {
            var finished = await WaitForLoopAsync(cancellationToken).ConfigureAwait(false);
            if (!finished && graceful)
            {
                _logger.LogWarning(
                    "The graceful stop did not finish the queued batches within the stop timeout {Timeout}; cancelling the batch in flight (it runs again after a restart from the checkpoint)",
                    _context.Options.StopTimeout);
                graceful = false;
                await _hardStop.CancelAsync().ConfigureAwait(false);
                finished = await WaitForLoopAsync(cancellationToken).ConfigureAwait(false);
            }

            if (!finished)
            {
                _logger.LogWarning("The batch in flight did not observe cancellation within {Timeout}; the context stopped without it", _context.Options.StopTimeout);
            }
            else if (graceful && _context.Checkpointing is { } checkpointing)
            {
                try
                {
                    checkpointing.OnStopped(LastCompletedTime);
                }
                catch (CheckpointException error)
                {
                    _logger.LogError(error, "The final checkpoint could not be written");
                    _context.ReportError(error);
                }
            }
        }

        _context.Checkpointing?.Dispose();

        lock (_gate)
        {
            foreach (var (_, done) in _waiters)
            {
                done.TrySetCanceled();
            }

            _waiters.Clear();
        }
    }

    /// <summary>Waits up to the stop timeout for the job loop to end; false if it did not.</summary>
    private async Task<bool> WaitForLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _loop!.WaitAsync(_context.Options.StopTimeout, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private async Task StopInputsAsync(CancellationToken cancellationToken)
    {
        foreach (var input in _context.Inputs)
        {
            try
            {
                await input.StopAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                _logger.LogError(error, "Input stream {Input} failed to stop", input);
            }
        }
    }

    /// <summary>
    /// A graceful stop processes all received data (Spark's stopGracefully): records that receivers stored after the
    /// last batch was cut go into one more batch, at the next batch time.
    /// </summary>
    private void GenerateFinalBatchIfPending()
    {
        lock (_gate)
        {
            if (_context.Inputs.Any(static input => input.HasPendingData))
            {
                GenerateBatch(_nextTime);
                _nextTime += _context.BatchInterval;
            }
        }
    }

    private TimeSpan DueIn()
    {
        var due = _nextTime.ToDateTimeOffset() - _context.TimeProvider.GetUtcNow();
        return due < TimeSpan.Zero ? TimeSpan.Zero : due;
    }

    private void OnTimer()
    {
        lock (_gate)
        {
            if (!_generating)
            {
                return;
            }

            var now = BatchTime.FromDateTimeOffset(_context.TimeProvider.GetUtcNow());
            while (_nextTime <= now && _generating)
            {
                if (!ShouldDefer(_nextTime))
                {
                    GenerateBatch(_nextTime);
                }

                _nextTime += _context.BatchInterval;
            }

            _timer?.Change(DueIn(), Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Seals every input at <paramref name="time"/> and queues the batch.</summary>
    private void GenerateBatch(BatchTime time)
    {
        long records = 0;
        var inputs = _context.Inputs;
        var inputCounts = RentInputCounts(inputs.Count);
        for (var i = 0; i < inputs.Count; i++) // not foreach: an IReadOnlyList's enumerator is boxed
        {
            var input = inputs[i];
            inputCounts[i] = NotSealed;
            try
            {
                var sealedRecords = input.Seal(time);
                inputCounts[i] = sealedRecords;
                records += sealedRecords;
            }
            catch (Exception error)
            {
                _logger.LogError(error, "Input stream {Input} failed to seal the batch at {BatchTime}; it contributes no records to it", input, time);
            }
        }

        if (_context.Checkpointing is { } checkpointing)
        {
            try
            {
                checkpointing.OnBatchGenerated(time);
            }
            catch (CheckpointException error)
            {
                _generating = false;
                checkpointing.Fail(error);
                ReturnInputCounts(inputCounts);
                return;
            }
        }

        Submit(time, records, inputCounts);
    }

    private void Submit(BatchTime time, long records, long[]? inputCounts = null)
    {
        var queued = new QueuedBatch(time, records, _context.TimeProvider.GetUtcNow(), inputCounts);
        if (_context.Listeners.WantsBatchSubmitted)
        {
            _context.Listeners.BatchSubmitted(queued.ToInfo(_context.Inputs));
        }

        OnBatchQueued();
        _queue.Writer.TryWrite(queued);
    }

    /// <summary>An input count that stands for "the input failed to seal": it is left out of <see cref="BatchInfo.InputRecords"/>.</summary>
    private const long NotSealed = -1;

    /// <summary>Per-input record counts of queued batches, reused (a warm batch allocates none): index i is input i.</summary>
    private readonly Stack<long[]> _freeInputCounts = new();

    /// <summary>Count arrays made up front: a few batches may be queued while one runs, and a warm batch allocates none.</summary>
    private const int PreparedInputCounts = 4;

    private long[] RentInputCounts(int inputs)
    {
        lock (_freeInputCounts)
        {
            while (_freeInputCounts.TryPop(out var counts))
            {
                if (counts.Length == inputs)
                {
                    return counts;
                }
            }
        }

        return new long[inputs];
    }

    private void ReturnInputCounts(long[]? counts)
    {
        if (counts is null)
        {
            return;
        }

        lock (_freeInputCounts)
        {
            if (_freeInputCounts.Count < 16)
            {
                _freeInputCounts.Push(counts);
            }
        }
    }

    /// <summary>Runs <paramref name="action"/> while no batch is being generated (so input positions and the journal agree).</summary>
    public void RunExclusiveOfGeneration(Action action)
    {
        lock (_gate)
        {
            action();
        }
    }

    /// <summary>Queues the batches a recovered checkpoint left pending, then continues after them.</summary>
    private void ResumeFromCheckpoint(Checkpointing.CheckpointCoordinator checkpointing)
    {
        if (checkpointing.RestoredTime is { } restored)
        {
            _lastCompleted = restored;
            _nextTime = restored + _context.BatchInterval;
        }

        foreach (var (time, records) in checkpointing.TakeReplay(this))
        {
            Submit(time, records);
            _nextTime = time + _context.BatchInterval;
        }
    }

    private async Task RunLoopAsync()
    {
        // Everything the loop runs (outputs, listener callbacks, checkpoints) is "inside" this scheduler, so a stop
        // requested from there does not wait for the loop. Set once: setting an AsyncLocal allocates.
        RunningOutput.Value = this;
        await foreach (var submitted in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            OnBatchDequeued();
            if (_hardStop.IsCancellationRequested || _context.Checkpointing?.HasFailed == true)
            {
                break; // after a failed batch or checkpoint nothing more runs: recovery re-runs from the checkpoint
            }

            var completed = await RunBatchAsync(submitted).ConfigureAwait(false);
            CompleteWaiters(completed);
            ReturnInputCounts(submitted.InputCounts);
        }

        OnLoopEnded();
    }

    /// <remarks>
    /// Not an <c>async</c> method: a batch whose outputs all complete synchronously runs without a state machine
    /// (nothing allocated, in Debug builds too); the first output that does not complete synchronously continues in
    /// <see cref="AwaitOutputAsync"/>. The started <see cref="BatchInfo"/> is built only for a listener that
    /// implements <see cref="IStreamingListener.OnBatchStarted"/>.
    /// </remarks>
    private ValueTask<CompletedBatch> RunBatchAsync(QueuedBatch submitted)
    {
        var startTime = _context.TimeProvider.GetUtcNow();
        if (_context.Listeners.WantsBatchStarted)
        {
            _context.Listeners.BatchStarted(submitted.ToInfo(_context.Inputs, startTime));
        }

        TrackSchedulingDelay(submitted.Time, startTime - submitted.SubmissionTime);
        return RunOutputsFrom(submitted, startTime, 0, failure: null);
    }

    /// <summary>Runs the outputs from index <paramref name="first"/> on, synchronously while they complete synchronously.</summary>
    private ValueTask<CompletedBatch> RunOutputsFrom(QueuedBatch submitted, DateTimeOffset startTime, int first, Exception? failure)
    {
        var time = submitted.Time;
        var outputs = _context.Outputs;
        for (var i = first; i < outputs.Count; i++) // not foreach: an IReadOnlyList's enumerator is boxed
        {
            var output = outputs[i];
            var outputEvents = _context.Listeners.WantsOutputEvents;
            if (outputEvents)
            {
                _context.Listeners.OutputStarted(new OutputOperationInfo(time, output.Id, output.Name));
            }

            Exception? outputFailure = null;
            try
            {
                var pending = output.RunAsync(time, _hardStop.Token);
                if (!pending.IsCompleted)
                {
                    return AwaitOutputAsync(submitted, startTime, i, pending, failure, outputEvents);
                }

                pending.GetAwaiter().GetResult();
            }
            catch (Exception error)
            {
                outputFailure = OutputFailure(error, output, time);
            }

            failure ??= outputFailure;
            if (outputEvents)
            {
                _context.Listeners.OutputCompleted(new OutputOperationInfo(time, output.Id, output.Name, outputFailure));
            }

            if (_hardStop.IsCancellationRequested)
            {
                break;
            }
        }

        return new ValueTask<CompletedBatch>(FinishBatch(submitted, startTime, failure));
    }

    /// <summary>Waits for output <paramref name="index"/>, which did not complete synchronously, then runs the rest.</summary>
    private async ValueTask<CompletedBatch> AwaitOutputAsync(
        QueuedBatch submitted, DateTimeOffset startTime, int index, ValueTask pending, Exception? failure, bool outputEvents)
    {
        var output = _context.Outputs[index];
        Exception? outputFailure = null;
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception error)
        {
            outputFailure = OutputFailure(error, output, submitted.Time);
        }

        failure ??= outputFailure;
        if (outputEvents)
        {
            _context.Listeners.OutputCompleted(new OutputOperationInfo(submitted.Time, output.Id, output.Name, outputFailure));
        }

        if (_hardStop.IsCancellationRequested)
        {
            return FinishBatch(submitted, startTime, failure);
        }

        return await RunOutputsFrom(submitted, startTime, index + 1, failure).ConfigureAwait(false);
    }

    /// <summary>What an output's exception means for the batch: a cancellation by a non-graceful stop, or a logged failure.</summary>
    private Exception OutputFailure(Exception error, OutputOperation output, BatchTime time)
    {
        if (error is OperationCanceledException && _hardStop.IsCancellationRequested)
        {
            return new OperationCanceledException($"The batch at {time} was cancelled by a non-graceful stop.");
        }

        _logger.LogError(error, "Output operation {Output} (#{Id}) failed on the batch at {BatchTime}", output.Name, output.Id, time);
        return error;
    }

    /// <summary>After the outputs: forgets old batches, reports a failure, checkpoints, records metrics and raises the completed event.</summary>
    private CompletedBatch FinishBatch(QueuedBatch submitted, DateTimeOffset startTime, Exception? failure)
    {
        var time = submitted.Time;
        _context.Graph?.ClearMetadata(time);

        if (failure is not null && !_hardStop.IsCancellationRequested)
        {
            _context.ReportError(failure);
        }

        if (!_hardStop.IsCancellationRequested && _context.Checkpointing is { } checkpointing)
        {
            if (failure is not null)
            {
                checkpointing.OnBatchFailed(time, failure);
            }
            else
            {
                try
                {
                    checkpointing.OnBatchCompleted(time);
                }
                catch (CheckpointException error)
                {
                    checkpointing.Fail(error);
                }
            }
        }

        var endTime = _context.TimeProvider.GetUtcNow();
        MetricsListener.RecordBatch(failure is not null, submitted.Records, startTime - submitted.SubmissionTime, endTime - startTime);
        var completed = new CompletedBatch(submitted, startTime, endTime, failure, Info: null);
        if (_context.Listeners.WantsBatchCompleted)
        {
            completed = completed with { Info = completed.ToInfo(_context.Inputs) };
            _context.Listeners.BatchCompleted(completed.Info);
        }

        return completed;
    }

    private void CompleteWaiters(CompletedBatch completed)
    {
        List<TaskCompletionSource<BatchInfo>>? ready = null;
        var time = completed.Batch.Time;
        lock (_gate)
        {
            _lastCompleted = time;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Time <= time)
                {
                    (ready ??= []).Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }

        if (ready is not null)
        {
            var info = completed.Info ?? completed.ToInfo(_context.Inputs);
            foreach (var done in ready)
            {
                done.TrySetResult(info);
            }
        }
    }
}

/// <summary>A batch whose outputs ran: a value, so a batch nobody listens to allocates no event object.</summary>
internal readonly record struct CompletedBatch(QueuedBatch Batch, DateTimeOffset StartTime, DateTimeOffset EndTime, Exception? Failure, BatchInfo? Info)
{
    /// <summary>The completed event object (built only for a listener or a waiter).</summary>
    public BatchInfo ToInfo(IReadOnlyList<Sources.IInputDStream> inputs) => Info ?? Batch.ToInfo(inputs, StartTime, EndTime, Failure);
}

/// <summary>
/// A batch cut and waiting for the job loop: a value, so queueing it allocates no event object. The per-input
/// record counts are a reused array (index i is input i; <c>-1</c> for an input that failed to seal).
/// </summary>
internal readonly record struct QueuedBatch(BatchTime Time, long Records, DateTimeOffset SubmissionTime, long[]? InputCounts)
{
    /// <summary>The batch's event object, built once (one allocation, and the per-input dictionary) with what is known so far.</summary>
    public BatchInfo ToInfo(IReadOnlyList<Sources.IInputDStream> inputs, DateTimeOffset? processingStart = null, DateTimeOffset? processingEnd = null, Exception? failure = null)
    {
        if (InputCounts is not { } counts)
        {
            return new BatchInfo(Time, Records, SubmissionTime, processingStart, processingEnd, failure);
        }

        var byInput = new Dictionary<int, long>(counts.Length);
        for (var i = 0; i < counts.Length && i < inputs.Count; i++)
        {
            if (counts[i] != -1)
            {
                byInput[inputs[i].Id] = counts[i];
            }
        }

        return new BatchInfo(Time, Records, SubmissionTime, processingStart, processingEnd, failure) { InputRecords = byInput };
    }
}
