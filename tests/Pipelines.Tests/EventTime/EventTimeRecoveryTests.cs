using System.Collections.Concurrent;
using Pipelines.Testing;
using Pipelines.Tests.Checkpointing;
using static Pipelines.Tests.EventTime.EventTimeTestData;

namespace Pipelines.Tests.EventTime;

/// <summary>The watermark, the open windows, sessions and keyed state, and the late counts survive a crash exactly.</summary>
public sealed class EventTimeRecoveryTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(7_000_000);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly List<string> _log = [];

    [Fact]
    public async Task Event_time_operators_recover_from_a_crash_to_the_outputs_of_an_uninterrupted_run()
    {
        const int Batches = 12;
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

        // Something is emitted, something is late and something is still open at the crash: the test can fail.
        Assert.Contains(expected, e => e.Key.StartsWith("window@", StringComparison.Ordinal) && e.Value.Length > 0);
        Assert.Contains(expected, e => e.Key.StartsWith("session@", StringComparison.Ordinal) && e.Value.Length > 0);
        Assert.Contains(expected, e => e.Key.StartsWith("state@", StringComparison.Ordinal) && e.Value.Any(v => v.Contains("timed out", StringComparison.Ordinal)));
        Assert.NotEqual("0", expected["late@7006000"][0]);

        _log.Clear();
        using var checkpoints = new TempFolder();
        var reached = new TaskCompletionSource();
        var (first, firstClock, _) = Create(checkpoints.Path, Start, blockAt: new BatchTime(7_006_000), reached);
        first.Start();
        for (var i = 1; i <= 5; i++)
        {
            Append(i);
            Step(first, firstClock);
        }

        Append(6);
        firstClock.Advance(Interval);
        await reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await first.StopAsync(graceful: false);

        var (second, secondClock, recovered) = Create(checkpoints.Path, Start + TimeSpan.FromSeconds(6), blockAt: null, reached: null);
        Assert.Equal(new BatchTime(7_004_000), second.RecoveredFrom);
        second.Start();
        Assert.True(second.Scheduler!.WhenCompletedAsync(new BatchTime(7_006_000)).Wait(TimeSpan.FromSeconds(30)));
        for (var i = 7; i <= Batches; i++)
        {
            Append(i);
            Step(second, secondClock);
        }

        await second.StopAsync();
        foreach (var stream in new[] { "window", "session", "state", "late" })
        {
            for (var t = 7_005_000; t <= 7_000_000 + (Batches * 1000); t += 1000)
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
            var pairs = ssc.Register(new ReplayableLogInput(ssc, _log))
                .FlatMap(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Map(Reading.Parse)
                .WithEventTime(r => r.Time, TimeSpan.FromSeconds(3))
                .Map(r => (r.Key, r.Value));
            var windows = pairs.ReduceByKeyAndEventWindow((a, b) => a + b, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(2));
            windows.Checkpoint(TimeSpan.FromSeconds(2));
            Collect(windows.Map(Show), "window", outputs, blockAt, reached);
            windows.ForEachBatch((_, time) => outputs[$"late@{time.Milliseconds}"] = [windows.LateRecordCount.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            var sessions = pairs.ReduceByKeyAndSessionWindow((a, b) => a + b, TimeSpan.FromSeconds(3));
            Collect(sessions.Map(Show), "session", outputs, null, null);
            var state = pairs.MapWithState(StateSpec.Function((string key, Optional<int> value, State<int> s) =>
            {
                if (s.IsTimingOut)
                {
                    return $"{key} timed out with {s.Get()}";
                }

                s.Update(s.GetOption().GetValueOrDefault(0) + value.GetValueOrDefault(0));
                return $"{key}={s.Get()}";
            }).Timeout(TimeSpan.FromSeconds(4)));
            Collect(state, "state", outputs, null, null);
            return ssc;
        });
        return (context, clock, outputs);
    }

    private static void Collect(DStream<string> stream, string name, ConcurrentDictionary<string, string[]> outputs, BatchTime? blockAt, TaskCompletionSource? reached) =>
        stream.ForEachBatch(async (batch, time, cancellationToken) =>
        {
            if (time == blockAt)
            {
                reached!.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            outputs[$"{name}@{time.Milliseconds}"] = batch.Order(StringComparer.Ordinal).ToArray();
        });

    private void Append(int batch)
    {
        // Event times run ahead by about 2 s a batch, out of order; key "z" shows once and times out; some records are late.
        var line = FormattableString.Invariant($"a@{2 * batch}={batch} b@{(2 * batch) - 3} a@{Math.Max(0, (2 * batch) - 9)}=100 {(batch == 2 ? "z@4" : string.Empty)}");
        lock (_log)
        {
            _log.Add(line);
        }
    }

    private static void Step(StreamingContext context, ManualClock clock)
    {
        clock.Advance(Interval);
        var now = BatchTime.FromDateTimeOffset(clock.GetUtcNow());
        Assert.True(context.Scheduler!.WhenCompletedAsync(now).Wait(TimeSpan.FromSeconds(30)), $"The batch at {now} did not finish.");
    }
}
