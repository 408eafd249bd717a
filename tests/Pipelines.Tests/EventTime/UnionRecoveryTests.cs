using System.Collections.Concurrent;
using Pipelines.Testing;
using Pipelines.Tests.Checkpointing;
using static Pipelines.Tests.EventTime.EventTimeTestData;

namespace Pipelines.Tests.EventTime;

/// <summary>
/// The combined watermark of a union (and each input's last activity, for idleness) survives a crash: a restart from
/// the checkpoint gives exactly the outputs of an uninterrupted run, late counts included.
/// </summary>
public sealed class UnionRecoveryTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(11_000_000);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly List<string> _fast = [];
    private readonly List<string> _slow = [];

    [Fact]
    public async Task Windows_after_a_union_recover_from_a_crash_to_the_outputs_of_an_uninterrupted_run()
    {
        const int Batches = 14;
        Dictionary<string, string[]> expected;
        using (var folder = new TempFolder())
        {
            var (context, clock, outputs) = Create(folder.Path, Start, blockAt: null, reached: null);
            context.Start();
            for (var i = 1; i <= Batches; i++)
            {
                Append(i);
                Step(context, clock);
            }

            await context.StopAsync();
            expected = new Dictionary<string, string[]>(outputs);
        }

        // Windows are emitted, the slow input goes idle and comes back with late records: the test can fail.
        Assert.Contains(expected, e => e.Key.StartsWith("window@", StringComparison.Ordinal) && e.Value.Length > 0);
        Assert.NotEqual(expected["watermark@11006000"], expected["watermark@11010000"]);
        Assert.NotEqual("0", expected["late@11014000"][0]);

        _fast.Clear();
        _slow.Clear();
        using var checkpoints = new TempFolder();
        var reached = new TaskCompletionSource();
        var (first, firstClock, _) = Create(checkpoints.Path, Start, blockAt: new BatchTime(11_008_000), reached);
        first.Start();
        for (var i = 1; i <= 7; i++)
        {
            Append(i);
            Step(first, firstClock);
        }

        Append(8);
        firstClock.Advance(Interval);
        await reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await first.StopAsync(graceful: false);

        var (second, secondClock, recovered) = Create(checkpoints.Path, Start + TimeSpan.FromSeconds(8), blockAt: null, reached: null);
        Assert.Equal(new BatchTime(11_006_000), second.RecoveredFrom);
        second.Start();
        Assert.True(second.Scheduler!.WhenCompletedAsync(new BatchTime(11_008_000)).Wait(TimeSpan.FromSeconds(30)));
        for (var i = 9; i <= Batches; i++)
        {
            Append(i);
            Step(second, secondClock);
        }

        await second.StopAsync();
        foreach (var stream in new[] { "window", "late", "watermark" })
        {
            for (var t = 11_007_000; t <= 11_000_000 + (Batches * 1000); t += 1000)
            {
                var key = $"{stream}@{t}";
                Assert.True(recovered.ContainsKey(key), $"No output {key}");
                Assert.Equal(expected[key], recovered[key]);
            }
        }
    }

    private (StreamingContext Context, ManualClock Clock, ConcurrentDictionary<string, string[]> Outputs) Create(
        string directory, DateTimeOffset start, BatchTime? blockAt, TaskCompletionSource? reached)
    {
        var clock = new ManualClock(start);
        var outputs = new ConcurrentDictionary<string, string[]>();
        var context = StreamingContext.GetOrCreate(directory, () =>
        {
            var ssc = new StreamingContext(Interval, new StreamingOptions { TimeProvider = clock });
            EventTimeDStream<Reading> Read(List<string> log, int maxDelay) => ssc.Register(new ReplayableLogInput(ssc, log))
                .FlatMap(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Map(Reading.Parse)
                .WithEventTime(r => r.Time, TimeSpan.FromSeconds(maxDelay));
            var union = Read(_fast, 2).Union(Read(_slow, 3), TimeSpan.FromSeconds(3));
            var windows = union.Map(r => (r.Key, r.Value)).ReduceByKeyAndEventWindow((a, b) => a + b, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(2));
            windows.Checkpoint(TimeSpan.FromSeconds(2));
            windows.Map(Show).ForEachBatch(async (batch, time, cancellationToken) =>
            {
                if (time == blockAt)
                {
                    reached!.TrySetResult();
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }

                outputs[$"window@{time.Milliseconds}"] = batch.Order(StringComparer.Ordinal).ToArray();
            });
            windows.ForEachBatch((_, time) =>
            {
                outputs[$"late@{time.Milliseconds}"] = [windows.LateRecordCount.ToString(System.Globalization.CultureInfo.InvariantCulture)];
                outputs[$"watermark@{time.Milliseconds}"] = [union.Watermark?.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"];
            });
            return ssc;
        });
        return (context, clock, outputs);
    }

    private void Append(int batch)
    {
        // The fast input runs 2 s a batch; the slow one 30 s behind, silent in batches 5-10 (idle after 3), then back.
        lock (_fast)
        {
            _fast.Add(FormattableString.Invariant($"a@{40 + (2 * batch)}={batch} b@{38 + (2 * batch)}"));
        }

        lock (_slow)
        {
            _slow.Add(batch is >= 5 and <= 10 ? string.Empty : FormattableString.Invariant($"s@{10 + (2 * batch)}={batch}"));
        }
    }

    private static void Step(StreamingContext context, ManualClock clock)
    {
        clock.Advance(Interval);
        var now = BatchTime.FromDateTimeOffset(clock.GetUtcNow());
        Assert.True(context.Scheduler!.WhenCompletedAsync(now).Wait(TimeSpan.FromSeconds(30)), $"The batch at {now} did not finish.");
    }
}
