using Microsoft.Extensions.Logging;

namespace Pipelines.Scheduling;

/// <summary>
/// Falling behind: the queue of batches waiting behind the batch in flight, Spark's stability rule on the scheduling
/// delay, and the optional bound on the queue (<see cref="StreamingOptions.MaxQueuedBatches"/>).
/// </summary>
internal sealed partial class JobScheduler
{
    /// <summary>How many batches in a row the scheduling delay must grow before the context counts as falling behind.</summary>
    internal const int GrowingDelaysToWarn = 3;

    private int _queued;
    private bool _fallingBehind;
    private bool _deferring;
    private TimeSpan _lastSchedulingDelay;
    private int _growingDelays;

    /// <summary>Batches cut and waiting behind the batch in flight.</summary>
    public int QueuedBatches => Volatile.Read(ref _queued);

    /// <summary>Whether the scheduling delay grew for several batches in a row and exceeds the batch interval.</summary>
    public bool IsFallingBehind => Volatile.Read(ref _fallingBehind);

    /// <summary>
    /// Whether the batch at <paramref name="time"/> is not cut because the queue is full: the inputs keep their
    /// records for the next batch that is cut. Called under the generation lock.
    /// </summary>
    private bool ShouldDefer(BatchTime time)
    {
        if (_context.Options.MaxQueuedBatches is not { } bound || QueuedBatches < bound)
        {
            if (_deferring)
            {
                _deferring = false;
                _logger.LogInformation("The batch queue has room again; batches are cut from {BatchTime} on", time);
            }

            return false;
        }

        MetricsListener.BatchesDeferred.Add(1);
        if (!_deferring)
        {
            _deferring = true;
            _logger.LogWarning(
                "{Queued} batches are queued (StreamingOptions.MaxQueuedBatches = {Bound}): no batch is cut at {BatchTime} nor until the queue has room; the inputs keep their records for the next batch. Processing is slower than the batch interval {Interval}",
                QueuedBatches,
                bound,
                time,
                _context.BatchInterval);
        }

        return true;
    }

    private void OnBatchQueued()
    {
        Interlocked.Increment(ref _queued);
        MetricsListener.BatchesQueued.Add(1);
    }

    private void OnBatchDequeued()
    {
        Interlocked.Decrement(ref _queued);
        MetricsListener.BatchesQueued.Add(-1);
    }

    /// <summary>The loop ended: batches left in the queue (a non-graceful stop) are dropped.</summary>
    private void OnLoopEnded()
    {
        var left = Interlocked.Exchange(ref _queued, 0);
        if (left != 0)
        {
            MetricsListener.BatchesQueued.Add(-left);
        }
    }

    /// <summary>
    /// Spark's stability rule: a context keeps up when batches are processed as fast as they are cut; a scheduling
    /// delay that keeps growing means it does not. After <see cref="GrowingDelaysToWarn"/> growing delays in a row
    /// with the last at least one batch interval, the context is falling behind (a warning, listeners'
    /// <see cref="IStreamingListener.OnFallingBehind"/>); it has caught up once a batch starts within one interval.
    /// Called on the job loop only.
    /// </summary>
    private void TrackSchedulingDelay(BatchTime time, TimeSpan delay)
    {
        _growingDelays = delay > _lastSchedulingDelay ? _growingDelays + 1 : 0;
        _lastSchedulingDelay = delay;
        if (!_fallingBehind && _growingDelays >= GrowingDelaysToWarn && delay >= _context.BatchInterval)
        {
            var info = new FallingBehindInfo(time, delay, QueuedBatches, _context.BatchInterval);
            Volatile.Write(ref _fallingBehind, true);
            MetricsListener.FallingBehind.Add(1);
            _logger.LogWarning(
                "Falling behind: the batch at {BatchTime} started {Delay} after it was cut, the scheduling delay grew {Count} batches in a row and {Queued} batches are queued. Processing takes longer than the batch interval {Interval}: make the batches cheaper, raise the interval, limit the input rate (Backpressure) or bound the queue (StreamingOptions.MaxQueuedBatches)",
                time,
                delay,
                _growingDelays,
                info.QueuedBatches,
                _context.BatchInterval);
            _context.Listeners.FallingBehind(info);
        }
        else if (_fallingBehind && delay < _context.BatchInterval)
        {
            Volatile.Write(ref _fallingBehind, false);
            _logger.LogInformation("Caught up: the batch at {BatchTime} started {Delay} after it was cut", time, delay);
            _context.Listeners.CaughtUp(new FallingBehindInfo(time, delay, QueuedBatches, _context.BatchInterval));
        }
    }
}
