using System.Collections.Concurrent;
using Pipelines.Testing;

namespace Pipelines.Tests.Checkpointing;

public sealed class FileSourceRecoveryTests : IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(2_000_000);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly TempFolder _folder = new();
    private readonly ConcurrentDictionary<BatchTime, string[]> _outputs = new();

    public FileSourceRecoveryTests() => Directory.CreateDirectory(Input);

    private string Input => _folder.Combine("input");

    private string Checkpoints => _folder.Combine("checkpoint");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task TextFileStream_replays_the_exact_files_of_pending_batches_and_reads_new_files_once()
    {
        var release = new TaskCompletionSource();
        var reached = new TaskCompletionSource();
        var (first, clock) = Create(Start, blockAt: new BatchTime(2_002_000), reached, release.Task);
        first.Start();
        WriteFile("a.txt", "a1", "a2");
        Step(first, clock);
        WriteFile("b.txt", "b1");
        clock.Advance(Interval);
        await reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        WriteFile("c.txt", "c1");
        clock.Advance(Interval);
        await first.StopAsync(graceful: false);
        Assert.Equal(["a1", "a2"], _outputs[new BatchTime(2_001_000)]);
        Assert.False(_outputs.ContainsKey(new BatchTime(2_002_000)));

        WriteFile("d.txt", "d1");
        _outputs.Clear();
        var (second, secondClock) = Create(Start + TimeSpan.FromSeconds(3), blockAt: null, reached: null, release: Task.CompletedTask);
        Assert.Equal(new BatchTime(2_001_000), second.RecoveredFrom);
        second.Start();
        Step(second, secondClock);

        Assert.Equal(["b1"], _outputs[new BatchTime(2_002_000)]);
        Assert.Equal(["c1"], _outputs[new BatchTime(2_003_000)]);
        Assert.Equal(["d1"], _outputs[new BatchTime(2_004_000)]);
        Assert.Equal(3, _outputs.Count);
        await second.StopAsync();
    }

    [Fact]
    public async Task Files_a_fresh_stream_ignored_at_start_stay_ignored_after_a_recovery()
    {
        WriteFile("old.txt", "old");
        var (first, clock) = Create(Start, blockAt: null, reached: null, release: Task.CompletedTask);
        first.Start();
        WriteFile("new.txt", "new");
        Step(first, clock);
        await first.StopAsync(graceful: false);
        Assert.Equal(["new"], _outputs[new BatchTime(2_001_000)]);

        var (second, secondClock) = Create(Start + TimeSpan.FromSeconds(1), blockAt: null, reached: null, release: Task.CompletedTask);
        second.Start();
        WriteFile("newer.txt", "newer");
        Step(second, secondClock);
        await second.StopAsync();

        Assert.Equal(["newer"], _outputs[new BatchTime(2_002_000)]);
        Assert.DoesNotContain(_outputs.Values, records => records.Contains("old"));
    }

    [Fact]
    public async Task A_crash_before_the_first_batch_keeps_files_present_at_the_start_ignored()
    {
        WriteFile("old.txt", "old");
        var (first, _) = Create(Start, blockAt: null, reached: null, release: Task.CompletedTask);
        first.Start();
        await first.StopAsync(graceful: false);

        var (second, clock) = Create(Start, blockAt: null, reached: null, release: Task.CompletedTask);
        Assert.Equal(new BatchTime(2_000_000), second.RecoveredFrom);
        second.Start();
        WriteFile("new.txt", "new");
        Step(second, clock);
        await second.StopAsync();

        Assert.Equal(["new"], _outputs[new BatchTime(2_001_000)]);
    }

    private (StreamingContext Context, ManualClock Clock) Create(DateTimeOffset start, BatchTime? blockAt, TaskCompletionSource? reached, Task release)
    {
        var clock = new ManualClock(start);
        var context = StreamingContext.GetOrCreate(Checkpoints, () =>
        {
            var ssc = new StreamingContext(Interval, new StreamingOptions { TimeProvider = clock });
            ssc.TextFileStream(Input).ForEachBatch(async (batch, time, cancellationToken) =>
            {
                if (time == blockAt)
                {
                    reached!.TrySetResult();
                    await release.WaitAsync(cancellationToken);
                }

                _outputs[time] = batch.ToArray();
            });
            return ssc;
        });
        return (context, clock);
    }

    private static void Step(StreamingContext context, ManualClock clock)
    {
        clock.Advance(Interval);
        var now = BatchTime.FromDateTimeOffset(clock.GetUtcNow());
        Assert.True(context.Scheduler!.WhenCompletedAsync(now).Wait(TimeSpan.FromSeconds(30)), $"The batch at {now} did not finish.");
    }

    private void WriteFile(string name, params string[] lines)
    {
        var temp = Path.Combine(Input, "." + name + ".tmp");
        File.WriteAllLines(temp, lines);
        File.Move(temp, Path.Combine(Input, name));
    }
}
