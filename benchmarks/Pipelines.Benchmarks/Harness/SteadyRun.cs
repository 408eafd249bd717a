using System.Collections.Concurrent;

namespace Pipelines.Benchmarks.Harness;

/// <summary>
/// A pipeline kept running across benchmark invocations: one context, started once, fed a fixed run of batches per
/// invocation through a queue stream. It measures the steady state a long-running job reaches (keys already
/// interned, tables grown, the window full), where the benchmarks that start a fresh context per run also pay the
/// context's start and stop and the first growth of every table.
/// </summary>
/// <remarks>
/// Each <see cref="Run"/> folds its outputs (output t of the run is batch t's) into a fresh checksum, so the first
/// run equals a fresh context's run over the same batches (the agreement tests check it); later runs continue the
/// window and the state of the earlier ones and give other checksums.
/// </remarks>
/// <typeparam name="TIn">The input records.</typeparam>
/// <typeparam name="TOut">The output records.</typeparam>
public sealed class SteadyRun<TIn, TOut> : IDisposable
{
    private readonly ConcurrentQueue<IEnumerable<TIn>> _queue = new();
    private readonly PipelineRun<TOut, int> _run;
    private Action<int, TOut> _add = static (_, _) => { };
    private int _index;

    /// <summary>Starts <paramref name="define"/> over a queue stream.</summary>
    public SteadyRun(Func<DStream<TIn>, DStream<TOut>> define)
    {
        ArgumentNullException.ThrowIfNull(define);
        _run = new PipelineRun<TOut, int>(
            context => define(context.QueueStream(_queue, oneAtATime: true)),
            batch =>
            {
                foreach (var record in batch.Span)
                {
                    _add(_index, record);
                }

                _index++;
                return batch.Count;
            });
    }

    /// <summary>Runs <paramref name="batches"/>, one per batch interval, passing every output record (with its batch index in this run) to <paramref name="add"/>.</summary>
    public void Run(TIn[][] batches, Action<int, TOut> add)
    {
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(add);
        _add = add;
        _index = 0;
        foreach (var batch in batches)
        {
            _queue.Enqueue(batch);
            _run.Step();
        }

        if (_index != batches.Length)
        {
            throw new InvalidOperationException($"The pipeline produced {_index} outputs for {batches.Length} batches; a steady run must output at every batch.");
        }
    }

    /// <summary>Runs <paramref name="batches"/> and returns the <see cref="KeyedChecksum"/> of the outputs, each pair folded with <paramref name="value"/>.</summary>
    public long Checksum<TValue>(TIn[][] batches, Func<TOut, (int Key, TValue Value)> pair, Func<TValue, long> value)
    {
        ArgumentNullException.ThrowIfNull(pair);
        ArgumentNullException.ThrowIfNull(value);
        var checksum = new KeyedChecksum();
        Run(batches, (index, record) =>
        {
            var (key, item) = pair(record);
            checksum.Add(index, key, value(item));
        });
        return checksum.Value;
    }

    /// <summary>Stops the context.</summary>
    public void Dispose() => _run.Dispose();
}
