using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Pipelines.Testing;

namespace Pipelines.ScaleOut;

/// <summary>
/// The user's pipeline for one input partition: a <see cref="StreamingContext"/> on a <see cref="ManualClock"/> that
/// starts at the agreed zero time and is stepped one aligned batch at a time, so windows and keyed state behave as
/// in a single process (the input being partitioned by key, each key lives in exactly one partition's engine).
/// </summary>
internal sealed class PartitionEngine<TIn, TOut> : IAsyncDisposable
{
    private readonly ManualClock _clock;
    private readonly StreamingContext _context;
    private readonly FedInput<TIn> _input = new();
    private readonly ConcurrentDictionary<BatchTime, TOut[]> _produced = new();
    private readonly ConcurrentDictionary<BatchTime, TaskCompletionSource<Exception?>> _completed = new();
    private readonly TimeSpan _timeout;
    private BatchTime _now;

    public PartitionEngine(BatchTime zero, TimeSpan interval, Func<DStream<TIn>, DStream<TOut>> define, ILoggerFactory loggerFactory, TimeSpan timeout)
    {
        _clock = new ManualClock(zero.ToDateTimeOffset());
        _now = zero;
        _timeout = timeout;
        _context = new StreamingContext(interval, new StreamingOptions
        {
            TimeProvider = _clock,
            LoggerFactory = loggerFactory,
            Parallelism = 1,
            Listeners = [new Completion(this)],
        });
        var output = define(_context.DirectStream(_input, "ScaleOutPartition"))
            ?? throw new InvalidOperationException("The pipeline definition returned null; return the stream whose records go to the output topic.");
        output.ForEachBatch((batch, time) => _produced[time] = batch.ToArray());
        _context.Start();
    }

    /// <summary>The time of the last batch stepped (the zero time before the first).</summary>
    public BatchTime Now => _now;

    /// <summary>Runs the batch at <paramref name="time"/> (empty batches first for any time skipped) and returns its output.</summary>
    public TOut[] Step(BatchTime time, TIn[] records)
    {
        if (time <= _now)
        {
            throw new InvalidOperationException($"Batch {time} is not after the engine's last batch {_now}.");
        }

        while (_now + _context.BatchInterval < time)
        {
            Advance([]);
        }

        return Advance(records);
    }

    public async ValueTask DisposeAsync() => await _context.StopAsync(graceful: false).ConfigureAwait(false);

    private TOut[] Advance(TIn[] records)
    {
        var next = _now + _context.BatchInterval;
        var done = _completed.GetOrAdd(next, _ => new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously));
        _input.Feed(records);
        _clock.Advance(_context.BatchInterval);
        _now = next;
        if (!done.Task.Wait(_timeout))
        {
            throw new ScaleOutException($"The pipeline's batch at {next} did not finish within {_timeout.TotalSeconds:0} s; an operator or output may be blocked.");
        }

        _completed.TryRemove(next, out _);
        if (done.Task.Result is { } failure)
        {
            throw new ScaleOutException($"The pipeline's batch at {next} failed: {failure.Message}", failure);
        }

        return _produced.TryRemove(next, out var output) ? output : [];
    }

    private sealed class Completion(PartitionEngine<TIn, TOut> engine) : IStreamingListener
    {
        public void OnBatchCompleted(BatchInfo batch) =>
            engine._completed.GetOrAdd(batch.BatchTime, _ => new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(batch.Failure);
    }
}
