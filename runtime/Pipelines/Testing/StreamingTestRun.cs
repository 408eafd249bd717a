namespace Pipelines.Testing;

/// <summary>
/// A streaming context on a <see cref="ManualClock"/> with one collected output, stepped batch by batch.
/// Create it with <see cref="StreamingTest.Start{TIn, TOut}"/>.
/// </summary>
/// <typeparam name="TOut">The type of the output records.</typeparam>
public sealed class StreamingTestRun<TOut> : IDisposable
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);
    private readonly Dictionary<BatchTime, TOut[]> _produced = [];
    private readonly Dictionary<BatchTime, Exception?> _failures = [];
    private BatchTime _now;

    internal StreamingTestRun(TimeSpan? batchInterval, StreamingOptions? options, Func<StreamingContext, DStream<TOut>> build)
    {
        Clock = options?.TimeProvider as ManualClock ?? new ManualClock();
        var defaults = options ?? new StreamingOptions();
        var settings = new StreamingOptions
        {
            Parallelism = defaults.Parallelism,
            BlockInterval = defaults.BlockInterval,
            InputPartitionRecords = defaults.InputPartitionRecords,
            TimeProvider = Clock,
            LoggerFactory = options?.LoggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
            Output = options?.Output,
            CheckpointDirectory = options?.CheckpointDirectory,
            Listeners = options?.Listeners ?? new List<IStreamingListener>(),
            ReceiverRestartDelay = options?.ReceiverRestartDelay ?? TimeSpan.FromSeconds(2),
            StopTimeout = options?.StopTimeout ?? TimeSpan.FromSeconds(10),
            Backpressure = options?.Backpressure ?? new BackpressureOptions(),
        };
        Context = new StreamingContext(batchInterval ?? TimeSpan.FromSeconds(1), settings);
        Context.AddStreamingListener(new FailureRecorder(this));
        Output = build(Context) ?? throw new InvalidOperationException("The operation returned null; return the stream to test.");
        Output.ForEachBatch((batch, time) =>
        {
            lock (_produced)
            {
                _produced[time] = batch.ToArray();
            }
        });
        Context.Start();
        _now = BatchTime.FromDateTimeOffset(Clock.GetUtcNow());
    }

    /// <summary>The context under test.</summary>
    public StreamingContext Context { get; }

    /// <summary>The clock that the run advances.</summary>
    public ManualClock Clock { get; }

    /// <summary>The stream whose batches are collected.</summary>
    public DStream<TOut> Output { get; }

    /// <summary>Advances the clock by one batch interval and waits until that batch finished.</summary>
    public StreamingTestBatch<TOut> Step()
    {
        Clock.Advance(Context.BatchInterval);
        _now = BatchTime.FromDateTimeOffset(Clock.GetUtcNow());
        var wait = Context.Scheduler!.WhenCompletedAsync(_now);
        if (!wait.Wait(HangGuard))
        {
            throw new TimeoutException($"The batch at {_now} did not finish within {HangGuard}; an output or operator may be blocked.");
        }

        lock (_produced)
        {
            _failures.TryGetValue(_now, out var failure);
            return _produced.TryGetValue(_now, out var records)
                ? new StreamingTestBatch<TOut>(_now, true, records, failure)
                : new StreamingTestBatch<TOut>(_now, false, [], failure);
        }
    }

    /// <summary>Steps <paramref name="numBatches"/> times; returns the produced batches, throwing the first failure.</summary>
    public IReadOnlyList<IReadOnlyList<TOut>> RunToList(int numBatches)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(numBatches);
        var result = new List<IReadOnlyList<TOut>>();
        for (var i = 0; i < numBatches; i++)
        {
            var batch = Step();
            if (batch.Failure is { } failure)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            }

            if (batch.Produced)
            {
                result.Add(batch.Records);
            }
        }

        return result;
    }

    /// <summary>Stops the context.</summary>
    public void Dispose() => Context.StopAsync(graceful: false).Wait(HangGuard);

    private sealed class FailureRecorder(StreamingTestRun<TOut> run) : IStreamingListener
    {
        public void OnBatchCompleted(BatchInfo batch)
        {
            lock (run._produced)
            {
                run._failures[batch.BatchTime] = batch.Failure;
            }
        }
    }
}

/// <summary>What one step of a <see cref="StreamingTestRun{TOut}"/> saw.</summary>
/// <param name="Time">The batch time.</param>
/// <param name="Produced">Whether the stream produced a batch at this time (windowed streams skip times).</param>
/// <param name="Records">The produced records (empty when none).</param>
/// <param name="Failure">The error that failed the batch, if any.</param>
public sealed record StreamingTestBatch<TOut>(BatchTime Time, bool Produced, IReadOnlyList<TOut> Records, Exception? Failure);
