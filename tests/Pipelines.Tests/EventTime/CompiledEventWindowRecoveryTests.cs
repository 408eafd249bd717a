using System.Collections.Concurrent;
using Pipelines.Compilation;
using Pipelines.Testing;
using Pipelines.Tests.Checkpointing;
using static Pipelines.Tests.EventTime.EventTimeTestData;

namespace Pipelines.Tests.EventTime;

/// <summary>
/// The compiled event-time window (<see cref="CompiledEventTime"/>, the extension point generated code uses) checkpoints
/// its watermark, open windows and late count: a crash and a restart give exactly the outputs of an uninterrupted
/// run of the interpreted operators.
/// </summary>
public sealed class CompiledEventWindowRecoveryTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(9_000_000);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly List<string> _log = [];

    [Fact]
    public async Task A_compiled_event_time_window_recovers_from_a_crash_to_the_outputs_of_an_uninterrupted_interpreted_run()
    {
        const int Batches = 12;
        Dictionary<string, string[]> expected;
        using (var folder = new TempFolder())
        {
            var (context, clock, outputs) = Create(folder.Path, Start, compiled: false, blockAt: null, reached: null);
            context.Start();
            for (var i = 1; i <= Batches; i++)
            {
                Append(i);
                Step(context, clock);
            }

            await context.StopAsync();
            expected = new Dictionary<string, string[]>(outputs);
        }

        Assert.Contains(expected, e => e.Key.StartsWith("window@", StringComparison.Ordinal) && e.Value.Length > 0);
        Assert.NotEqual("0", expected["late@9006000"][0]);

        _log.Clear();
        using var checkpoints = new TempFolder();
        var reached = new TaskCompletionSource();
        var (first, firstClock, _) = Create(checkpoints.Path, Start, compiled: true, blockAt: new BatchTime(9_006_000), reached);
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

        var (second, secondClock, recovered) = Create(checkpoints.Path, Start + TimeSpan.FromSeconds(6), compiled: true, blockAt: null, reached: null);
        Assert.Equal(new BatchTime(9_004_000), second.RecoveredFrom);
        second.Start();
        Assert.True(second.Scheduler!.WhenCompletedAsync(new BatchTime(9_006_000)).Wait(TimeSpan.FromSeconds(30)));
        for (var i = 7; i <= Batches; i++)
        {
            Append(i);
            Step(second, secondClock);
        }

        await second.StopAsync();
        foreach (var stream in new[] { "window", "late", "lateRecords" })
        {
            for (var t = 9_005_000; t <= 9_000_000 + (Batches * 1000); t += 1000)
            {
                var key = $"{stream}@{t}";
                Assert.True(recovered.ContainsKey(key), $"No output {key}");
                Assert.Equal(expected[key], recovered[key]);
            }
        }
    }

    private (StreamingContext Context, ManualClock Clock, ConcurrentDictionary<string, string[]> Outputs) Create(
        string directory, DateTimeOffset start, bool compiled, BatchTime? blockAt, TaskCompletionSource? reached)
    {
        var clock = new ManualClock(start);
        var outputs = new ConcurrentDictionary<string, string[]>();
        var context = StreamingContext.GetOrCreate(directory, () =>
        {
            var ssc = new StreamingContext(Interval, new StreamingOptions { TimeProvider = clock });
            var readings = ssc.Register(new ReplayableLogInput(ssc, _log))
                .FlatMap(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Map(Reading.Parse);
            var windows = compiled
                ? CompiledEventTime.ReduceByKeyAndEventWindow(readings, "ReduceByKeyAndEventWindow", new HandFusedStage(), maxDelay: TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(2))
                : readings.WithEventTime(r => r.Time, TimeSpan.FromSeconds(3)).Map(r => (r.Key, r.Value))
                    .ReduceByKeyAndEventWindow((a, b) => a + b, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(2));
            windows.Checkpoint(TimeSpan.FromSeconds(2));
            Collect(windows.Map(Show), "window", outputs, blockAt, reached);
            Collect(windows.LateRecords().Map(p => $"{p.Key}={p.Value}"), "lateRecords", outputs, null, null);
            windows.ForEachBatch((_, time) => outputs[$"late@{time.Milliseconds}"] = [windows.LateRecordCount.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
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
        var line = FormattableString.Invariant($"a@{2 * batch}={batch} b@{(2 * batch) - 3} a@{Math.Max(0, (2 * batch) - 9)}=100");
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

    /// <summary>What the generator emits for <c>WithEventTime(r =&gt; r.Time, …).Map(r =&gt; (r.Key, r.Value)).ReduceByKeyAndEventWindow((a, b) =&gt; a + b, …)</c>.</summary>
    private sealed class HandFusedStage : IEventWindowStage<Reading, (string Key, int Value), string, int>
    {
        public void Process(Batch<Reading> input, EventWindowBatch<(string Key, int Value), string, int> windows)
        {
            foreach (var r in input.Span)
            {
                var eventTicks = r.Time.UtcTicks;
                windows.Observe(eventTicks);
                (string Key, int Value) record = (r.Key, r.Value);
                if (windows.IsLate(eventTicks))
                {
                    windows.AddLate(record);
                    continue;
                }

                for (var start = windows.LastWindowStart(eventTicks); start > eventTicks - windows.WindowTicks; start -= windows.SlideTicks)
                {
                    ref var aggregate = ref windows.GetOrAdd(start, record.Key, out var exists);
                    aggregate = exists ? aggregate + record.Value : record.Value;
                }
            }
        }

        public int Merge(int open, int batch) => open + batch;
    }
}
