using System.Runtime.ExceptionServices;

namespace Pipelines.Partitioning;

/// <summary>
/// Runs one piece of work per partition, up to a given number at the same time: the calling thread takes part,
/// and thread-pool workers take the partitions it has not reached. A loop object is reused batch after batch, so
/// a warm run allocates nothing. Work items are claimed one at a time, so partitions of uneven size balance.
/// </summary>
/// <remarks>
/// The first exception thrown by a partition stops the loop from starting further partitions; <see cref="Run"/>
/// waits for the partitions already running and then rethrows it.
/// </remarks>
internal sealed class PartitionLoop : IThreadPoolWorkItem
{
    /// <summary>
    /// Batches with fewer records run their partitions on the job thread: handing work to the thread pool costs
    /// more than it saves there, and the fixed cost of a small batch must not grow with the parallelism.
    /// </summary>
    public const int MinRecordsForParallelRun = 2048;

    /// <summary>The parallelism to use for a batch of <paramref name="records"/> records.</summary>
    public static int ParallelismFor(int records, int parallelism) => records < MinRecordsForParallelRun ? 1 : parallelism;

    private readonly Action<int> _body;
    private readonly object _gate = new();
    private int _count;
    private int _next = int.MaxValue;
    private int _inFlight;
    private ExceptionDispatchInfo? _error;

    /// <summary>Creates a loop that runs <paramref name="body"/> for each partition index.</summary>
    public PartitionLoop(Action<int> body) => _body = body;

    /// <summary>
    /// Runs the body for partitions 0 .. <paramref name="count"/> - 1, at most <paramref name="parallelism"/> at a
    /// time, and returns when all finished. Not reentrant: one run at a time per loop object.
    /// </summary>
    public void Run(int count, int parallelism)
    {
        if (count <= 0)
        {
            return;
        }

        if (parallelism <= 1 || count == 1)
        {
            for (var i = 0; i < count; i++)
            {
                _body(i);
            }

            return;
        }

        // A helper queued by an earlier run may start now: _next stays past the end until _count is set, so it
        // either finds nothing to do or joins this run.
        _error = null;
        Volatile.Write(ref _count, count);
        Volatile.Write(ref _next, 0);
        var helpers = Math.Min(parallelism, count) - 1;
        for (var i = 0; i < helpers; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        Work();
        lock (_gate)
        {
            while (Volatile.Read(ref _inFlight) != 0)
            {
                Monitor.Wait(_gate);
            }
        }

        Volatile.Write(ref _next, int.MaxValue);
        _error?.Throw();
    }

    void IThreadPoolWorkItem.Execute() => Work();

    private void Work()
    {
        while (true)
        {
            // Counted in flight before claiming, so Run cannot see "all claimed, none running" while one is claimed.
            Interlocked.Increment(ref _inFlight);
            if (!TryClaim(out var index))
            {
                Finish();
                return;
            }

            try
            {
                _body(index);
            }
            catch (Exception error)
            {
                Interlocked.CompareExchange(ref _error, ExceptionDispatchInfo.Capture(error), null);
            }

            Finish();
        }
    }

    private bool TryClaim(out int index)
    {
        while (true)
        {
            index = Volatile.Read(ref _next);
            if (index >= Volatile.Read(ref _count) || Volatile.Read(ref _error) is not null)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _next, index + 1, index) == index)
            {
                return true;
            }
        }
    }

    private void Finish()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0)
        {
            lock (_gate)
            {
                Monitor.PulseAll(_gate);
            }
        }
    }
}
