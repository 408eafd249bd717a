using System.Collections.Concurrent;
using Pipelines.Testing;

namespace Pipelines.Tests.Checkpointing;

public sealed class ReceiverWriteAheadLogTests : IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(3_000_000);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly TempFolder _folder = new();
    private readonly ConcurrentDictionary<BatchTime, string[]> _outputs = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Blocks_acknowledged_before_a_crash_are_replayed_into_their_batches_or_the_next_one()
    {
        var reached = new TaskCompletionSource();
        var (first, clock, receiver) = Create(Start, blockAt: new BatchTime(3_002_000), reached);
        first.Start();
        await receiver.StoreAsync(["a1", "a2"]);
        receiver.Store("u1");
        Step(first, clock);
        await receiver.StoreAsync(["b1"]);
        clock.Advance(Interval);
        await reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await receiver.StoreAsync(["c1", "c2"]);
        await first.StopAsync(graceful: false);
        Assert.Equal(["a1", "a2", "u1"], _outputs[new BatchTime(3_001_000)]);
        Assert.False(_outputs.ContainsKey(new BatchTime(3_002_000)));

        _outputs.Clear();
        var (second, secondClock, newReceiver) = Create(Start + TimeSpan.FromSeconds(2), blockAt: null, reached: null);
        Assert.Equal(new BatchTime(3_001_000), second.RecoveredFrom);
        second.Start();
        Assert.True(second.Scheduler!.WhenCompletedAsync(new BatchTime(3_002_000)).Wait(TimeSpan.FromSeconds(30)));
        await newReceiver.StoreAsync(["d1"]);
        Step(second, secondClock);
        await second.StopAsync();

        Assert.Equal(["b1"], _outputs[new BatchTime(3_002_000)]);
        Assert.Equal(["c1", "c2", "d1"], _outputs[new BatchTime(3_003_000)]);
    }

    [Fact]
    public async Task A_block_acknowledged_after_a_restart_on_a_fully_trimmed_log_survives_the_next_crash()
    {
        // A quiet input lets every checkpoint trim the whole log. The restarted log must continue the numbering
        // from the checkpoint's position, or the next block falls outside its batch's range and a crash loses it.
        var (first, clock, receiver) = Create(Start, blockAt: null, reached: null);
        first.Start();
        await receiver.StoreAsync(["a"]);
        for (var batch = 0; batch < 5; batch++)
        {
            Step(first, clock);
        }

        await first.StopAsync();
        Assert.Equal(["a"], _outputs[new BatchTime(3_001_000)]);

        var reached = new TaskCompletionSource();
        var (second, secondClock, secondReceiver) = Create(Start + TimeSpan.FromSeconds(5), blockAt: new BatchTime(3_006_000), reached);
        second.Start();
        await secondReceiver.StoreAsync(["b"]);
        secondClock.Advance(Interval);
        await reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await second.StopAsync(graceful: false);
        Assert.False(_outputs.ContainsKey(new BatchTime(3_006_000)));

        var (third, _, _) = Create(Start + TimeSpan.FromSeconds(6), blockAt: null, reached: null);
        third.Start();
        Assert.True(third.Scheduler!.WhenCompletedAsync(new BatchTime(3_006_000)).Wait(TimeSpan.FromSeconds(30)));
        await third.StopAsync();

        Assert.Equal(["b"], _outputs[new BatchTime(3_006_000)]);
    }

    [Fact]
    public async Task The_log_is_trimmed_as_batches_complete_so_disk_use_stays_bounded()
    {
        var (context, clock, receiver) = Create(Start, blockAt: null, reached: null, segmentBytes: 512);
        context.Start();
        var logFolder = Directory.GetDirectories(Path.Combine(_folder.Path, "receivedData")).Single();
        long peak = 0;
        var payload = new string('x', 200);
        for (var batch = 0; batch < 100; batch++)
        {
            for (var block = 0; block < 3; block++)
            {
                await receiver.StoreAsync([payload]);
            }

            Step(context, clock);
            peak = Math.Max(peak, Directory.GetFiles(logFolder).Sum(f => new FileInfo(f).Length));
        }

        await context.StopAsync();

        Assert.Equal(100, _outputs.Count);
        Assert.All(_outputs.Values, records => Assert.Equal(3, records.Length));
        // About 60 KB were logged; the retained checkpoints (3, one per batch) need at most a few segments.
        Assert.True(peak < 8 * 1024, $"The write-ahead log peaked at {peak} bytes.");
    }

    [Fact]
    public async Task A_block_that_cannot_be_logged_is_not_acknowledged()
    {
        Assert.True(File.Exists("/dev/full"), "This test simulates a full disk with /dev/full (Linux).");
        var (context, _, receiver) = Create(Start, blockAt: null, reached: null);
        context.Start();
        var logFolder = Directory.GetDirectories(Path.Combine(_folder.Path, "receivedData")).Single();
        File.CreateSymbolicLink(Path.Combine(logFolder, "segment-0000000000000000000.wal"), "/dev/full");

        var error = await Assert.ThrowsAsync<CheckpointException>(() => receiver.StoreAsync(["lost"]));

        Assert.Contains("not acknowledged", error.Message, StringComparison.Ordinal);
        await context.StopAsync();
    }

    [Fact]
    public async Task Without_the_option_receivers_write_no_log()
    {
        var (context, clock, receiver) = Create(Start, blockAt: null, reached: null, writeAheadLog: false);
        context.Start();
        await receiver.StoreAsync(["a"]);
        Step(context, clock);
        await context.StopAsync();

        Assert.Equal(["a"], _outputs[new BatchTime(3_001_000)]);
        Assert.False(Directory.Exists(Path.Combine(_folder.Path, "receivedData")));
    }

    private (StreamingContext Context, ManualClock Clock, BlockReceiver Receiver) Create(
        DateTimeOffset start, BatchTime? blockAt, TaskCompletionSource? reached, long segmentBytes = 4096, bool writeAheadLog = true)
    {
        var clock = new ManualClock(start);
        var receiver = new BlockReceiver();
        var context = StreamingContext.GetOrCreate(_folder.Path, () =>
        {
            var ssc = new StreamingContext(Interval, new StreamingOptions { TimeProvider = clock });
            ssc.ReceiverStream(receiver).ForEachBatch(async (batch, time, cancellationToken) =>
            {
                if (time == blockAt)
                {
                    reached!.TrySetResult();
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }

                _outputs[time] = batch.ToArray();
            });
            return ssc;
        }, new CheckpointOptions { ReceiverWriteAheadLog = writeAheadLog, WriteAheadLogSegmentBytes = segmentBytes });
        return (context, clock, receiver);
    }

    private static void Step(StreamingContext context, ManualClock clock)
    {
        clock.Advance(Interval);
        var now = BatchTime.FromDateTimeOffset(clock.GetUtcNow());
        Assert.True(context.Scheduler!.WhenCompletedAsync(now).Wait(TimeSpan.FromSeconds(30)), $"The batch at {now} did not finish.");
    }

    /// <summary>A receiver the test drives: it stores what the test hands it.</summary>
    private sealed class BlockReceiver : Receiver<string>
    {
        public override void OnStart()
        {
        }

        public override void OnStop()
        {
        }
    }
}
