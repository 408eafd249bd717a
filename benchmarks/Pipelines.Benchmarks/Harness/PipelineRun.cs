using System.Collections.Concurrent;
using Pipelines.Testing;

namespace Pipelines.Benchmarks.Harness;

/// <summary>
/// Runs a pipeline through the real runtime the way a user's job runs: a <see cref="StreamingContext"/> on a
/// <see cref="ManualClock"/>, queue-stream inputs, and a <c>ForEachBatch</c> output. <see cref="Step"/> moves
/// the clock by one batch interval (the timer cuts the batch on the calling thread, the job loop runs the
/// output) and waits until the output saw the batch.
/// </summary>
/// <typeparam name="TOut">The pipeline's output record type.</typeparam>
/// <typeparam name="TResult">What the output keeps of each batch.</typeparam>
public sealed class PipelineRun<TOut, TResult> : IDisposable
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);
    private readonly ManualClock _clock = new();
    private readonly StreamingContext _context;
    private readonly SemaphoreSlim _done = new(0);
    private TResult _last = default!;
    private Exception? _failure;
    private readonly Task _watch;

    /// <summary>Builds the pipeline with <paramref name="build"/> and starts the context.</summary>
    /// <param name="build">Creates the inputs (e.g. with <see cref="PipelineInputs.Repeat{T}"/>) and the pipeline.</param>
    /// <param name="sink">What the output does with each batch; runs on the job loop while the batch is alive.</param>
    public PipelineRun(Func<StreamingContext, DStream<TOut>> build, Func<Batch<TOut>, TResult> sink)
        : this(build, sink, parallelism: null)
    {
    }

    /// <summary>Builds the pipeline with <paramref name="build"/> and starts a context with the given parallelism.</summary>
    /// <param name="build">Creates the inputs and the pipeline.</param>
    /// <param name="sink">What the output does with each batch.</param>
    /// <param name="parallelism">The context's <see cref="StreamingOptions.Parallelism"/>, or null for the default.</param>
    /// <param name="inputPartitionRecords">The context's <see cref="StreamingOptions.InputPartitionRecords"/>, or null for the default.</param>
    public PipelineRun(Func<StreamingContext, DStream<TOut>> build, Func<Batch<TOut>, TResult> sink, int? parallelism, int? inputPartitionRecords = null)
    {
        var defaults = new StreamingOptions();
        var options = new StreamingOptions
        {
            TimeProvider = _clock,
            Parallelism = parallelism ?? defaults.Parallelism,
            InputPartitionRecords = inputPartitionRecords ?? defaults.InputPartitionRecords,
        };
        _context = new StreamingContext(TimeSpan.FromSeconds(1), options);
        build(_context).ForEachBatch((batch, _) =>
        {
            _last = sink(batch);
            _done.Release();
        });
        _context.Start();
        _watch = WatchFailuresAsync();
    }

    /// <summary>Runs one batch and returns what the output kept of it.</summary>
    /// <exception cref="InvalidOperationException">The batch failed.</exception>
    /// <exception cref="TimeoutException">The batch did not finish within a minute.</exception>
    public TResult Step()
    {
        _clock.Advance(_context.BatchInterval);
        if (!_done.Wait(HangGuard))
        {
            throw new TimeoutException($"The batch did not reach the output within {HangGuard}.");
        }

        if (Volatile.Read(ref _failure) is { } failure)
        {
            throw new InvalidOperationException("The pipeline failed a batch.", failure);
        }

        return _last;
    }

    /// <summary>Stops the context.</summary>
    public void Dispose()
    {
        _context.StopAsync(graceful: false).Wait(HangGuard);
        _watch.Wait(HangGuard);
        _done.Dispose();
    }

    /// <summary>
    /// Wakes <see cref="Step"/> with the error of a failed batch: the context reports it through
    /// <see cref="StreamingContext.AwaitTerminationAsync"/>. (Not a listener's <c>OnBatchCompleted</c>: a listener of that
    /// event makes the runtime build a <see cref="BatchInfo"/> per batch, and the harness measures a warm batch's bytes.)
    /// </summary>
    private async Task WatchFailuresAsync()
    {
        try
        {
            await _context.AwaitTerminationAsync().ConfigureAwait(false);
        }
        catch (Exception error)
        {
            Volatile.Write(ref _failure, error);
            try
            {
                _done.Release();
            }
            catch (ObjectDisposedException)
            {
                // the run was disposed first: nobody waits any more
            }
        }
    }
}

/// <summary>Input streams for <see cref="PipelineRun{TOut, TResult}"/>.</summary>
public static class PipelineInputs
{
    /// <summary>A queue stream that yields the same records at every batch (Spark's queueStream with a default batch).</summary>
    public static DStream<T> Repeat<T>(StreamingContext context, T[] records) =>
        context.QueueStream(new ConcurrentQueue<IEnumerable<T>>(), oneAtATime: true, defaultBatch: records);

    /// <summary>A queue stream that yields <paramref name="batches"/> one per batch time, then empty batches.</summary>
    public static DStream<T> Sequence<T>(StreamingContext context, IEnumerable<T[]> batches) =>
        context.QueueStream(new ConcurrentQueue<IEnumerable<T>>(batches), oneAtATime: true);
}
