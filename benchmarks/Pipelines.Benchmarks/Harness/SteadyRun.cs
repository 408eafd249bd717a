using System.Collections.Concurrent;

namespace Pipelines.Benchmarks.Harness;

/// <summary>
/// A pipeline kept running across benchmark invocations: one context, started once, fed a fixed run of batches per
/// invocation through a queue stream. It measures the steady state a long-running job reaches (keys already
/// interned, tables grown, the window full), where the benchmarks that start a fresh context per run also pay the
/// context's start and stop and the first growth of every table. Its checksum is not comparable to a fresh run's
/// (the window carries over from the previous invocation), so the agreement check does not use it.
/// </summary>
/// <typeparam name="TIn">The input records.</typeparam>
/// <typeparam name="TOut">The output records.</typeparam>
public sealed class SteadyRun<TIn, TOut> : IDisposable
{
    private readonly ConcurrentQueue<IEnumerable<TIn>> _queue = new();
    private readonly PipelineRun<TOut, int> _run;
    private long _checksum;

    /// <summary>Starts <paramref name="define"/> over a queue stream; <paramref name="fold"/> folds each output record into the checksum.</summary>
    public SteadyRun(Func<DStream<TIn>, DStream<TOut>> define, Func<TOut, long> fold)
    {
        ArgumentNullException.ThrowIfNull(define);
        ArgumentNullException.ThrowIfNull(fold);
        _run = new PipelineRun<TOut, int>(
            context => define(context.QueueStream(_queue, oneAtATime: true)),
            batch =>
            {
                long sum = 0;
                foreach (var record in batch.Span)
                {
                    sum += fold(record);
                }

                _checksum = unchecked((_checksum * 31) + sum);
                return batch.Count;
            });
    }

    /// <summary>Runs <paramref name="batches"/>, one per batch interval, and returns the running checksum of the outputs.</summary>
    public long Run(TIn[][] batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        foreach (var batch in batches)
        {
            _queue.Enqueue(batch);
            _run.Step();
        }

        return _checksum;
    }

    /// <summary>Stops the context.</summary>
    public void Dispose() => _run.Dispose();
}
