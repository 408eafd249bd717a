using Pipelines.Testing;
using Pipelines.Tests.Receivers;

namespace Pipelines.Tests.Hardening;

/// <summary>Issue 10, item 9: falling behind is visible, and the queue of batches can be bounded.</summary>
public sealed class FallingBehindTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_scheduling_delay_that_keeps_growing_raises_falling_behind_once_and_caught_up_once_it_shrinks()
    {
        var clock = new ManualClock();
        var events = new HealthEvents();
        var logs = new CapturingLoggerFactory();
        await using var ssc = new StreamingContext(Interval, new StreamingOptions { TimeProvider = clock, Listeners = [events], LoggerFactory = logs });
        var receiver = new ManualReceiver<int>();
        var batches = 0;
        var fallingBehindSeen = false;
        ssc.ReceiverStream(receiver).ForEachBatch((_, _) =>
        {
            fallingBehindSeen |= ssc.IsFallingBehind;

            // The first six batches each take two batch intervals: the delay grows by one interval per batch.
            if (++batches <= 6)
            {
                clock.Advance(2 * Interval);
            }
        });
        ssc.Start();

        clock.Advance(Interval);
        await ssc.Scheduler!.WhenCompletedAsync(new BatchTime(13_000)).Guard("the backlog to drain");

        var behind = Assert.Single(events.FallingBehind);
        Assert.Equal(new BatchTime(4000), behind.BatchTime);
        Assert.Equal(3 * Interval, behind.SchedulingDelay);
        var caughtUp = Assert.Single(events.CaughtUp);
        Assert.Equal(new BatchTime(13_000), caughtUp.BatchTime);
        Assert.True(fallingBehindSeen);
        Assert.False(ssc.IsFallingBehind);
        Assert.Single(logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Message.StartsWith("Falling behind", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MaxQueuedBatches_skips_batch_times_while_the_queue_is_full_and_loses_no_record()
    {
        var clock = new ManualClock();
        var events = new HealthEvents();
        using var deferred = new CounterRecorder(StreamingMetrics.BatchesDeferred);
        await using var ssc = new StreamingContext(Interval, new StreamingOptions { TimeProvider = clock, Listeners = [events], MaxQueuedBatches = 2 });
        var receiver = new ManualReceiver<int>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new List<(BatchTime Time, int[] Records)>();
        ssc.ReceiverStream(receiver).ForEachBatch(async (batch, time, _) =>
        {
            lock (seen)
            {
                seen.Add((time, batch.ToArray()));
            }

            entered.TrySetResult();
            await release.Task;
        });
        ssc.Start();

        for (var i = 1; i <= 7; i++)
        {
            receiver.Store(i);
            clock.Advance(Interval);
            if (i == 1)
            {
                await entered.Task.Guard("the first batch to start");
            }
        }

        var queuedWhileBlocked = ssc.QueuedBatches;
        release.SetResult();
        await ssc.Scheduler!.WhenCompletedAsync(new BatchTime(3000)).Guard("the queued batches");
        receiver.Store(8);
        clock.Advance(Interval);
        await ssc.Scheduler!.WhenCompletedAsync(new BatchTime(8000)).Guard("the batch after the queue drained");

        Assert.Equal(2, queuedWhileBlocked);
        Assert.Equal(2, events.MaxQueued);
        Assert.Equal([1000L, 2000L, 3000L, 8000L], seen.Select(s => s.Time.Milliseconds));
        Assert.Equal(Enumerable.Range(1, 8), seen.SelectMany(s => s.Records));
        Assert.Equal([4, 5, 6, 7, 8], seen[^1].Records);
        Assert.True(deferred.Total >= 4);
    }

    private sealed class HealthEvents : IStreamingListener
    {
        private readonly List<FallingBehindInfo> _behind = [];
        private readonly List<FallingBehindInfo> _caughtUp = [];
        private int _queued;

        public IReadOnlyList<FallingBehindInfo> FallingBehind => Snapshot(_behind);

        public IReadOnlyList<FallingBehindInfo> CaughtUp => Snapshot(_caughtUp);

        public int MaxQueued { get; private set; }

        public void OnFallingBehind(FallingBehindInfo info) => Add(_behind, info);

        public void OnCaughtUp(FallingBehindInfo info) => Add(_caughtUp, info);

        public void OnBatchSubmitted(BatchInfo batch)
        {
            lock (_behind)
            {
                MaxQueued = Math.Max(MaxQueued, ++_queued);
            }
        }

        public void OnBatchStarted(BatchInfo batch)
        {
            lock (_behind)
            {
                _queued--;
            }
        }

        private void Add(List<FallingBehindInfo> list, FallingBehindInfo info)
        {
            lock (_behind)
            {
                list.Add(info);
            }
        }

        private IReadOnlyList<FallingBehindInfo> Snapshot(List<FallingBehindInfo> list)
        {
            lock (_behind)
            {
                return [.. list];
            }
        }
    }
}
