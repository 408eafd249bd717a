using Pipelines.Testing;
using static Pipelines.Tests.EventTime.EventTimeTestData;

namespace Pipelines.Tests.EventTime;

public sealed class EventTimeWindowTests
{
    // Event times in seconds, out of order; maxDelay 2 s, tumbling windows of 10 s.
    private static readonly Reading[][] OutOfOrder =
    [
        [R("a", 1), R("a", 5), R("b", 3)],   // max 5  -> watermark 3
        [R("a", 12), R("a", 2), R("b", 4)],  // a@2 < 3 is late; b@4 is not. max 12 -> watermark 10: [0,10) is complete
        [R("a", 9), R("b", 15)],             // a@9 < 10 is late. max 15 -> watermark 13
        [R("a", 25)],                        // max 25 -> watermark 23: [10,20) is complete
        [],
    ];

    [Fact]
    public void Windows_are_emitted_when_the_watermark_passes_their_end_and_late_records_are_dropped_and_counted()
    {
        EventTimeAggregateDStream<EventWindow<string, long>, (string Key, int Value)>? counts = null;
        using var run = StreamingTest.Start(OutOfOrder, readings =>
        {
            counts = readings.WithEventTime(r => r.Time, TimeSpan.FromSeconds(2))
                .Map(r => (r.Key, r.Value))
                .CountByKeyAndEventWindow(TimeSpan.FromSeconds(10));
            return counts.Map(Show);
        });

        var output = Canonical(run.RunToList(5));

        Assert.Equal(
            [
                [],
                ["[0,10) a=2", "[0,10) b=2"],
                [],
                ["[10,20) a=1", "[10,20) b=1"],
                [],
            ],
            output);
        Assert.Equal(2, counts!.LateRecordCount);
        Assert.Equal(1, counts.OpenEntryCount); // [20,30) a, waiting for the watermark
    }

    [Fact]
    public void Late_records_go_to_the_side_output_batch_by_batch()
    {
        using var run = StreamingTest.Start(OutOfOrder, readings =>
        {
            var counts = readings.WithEventTime(r => r.Time, TimeSpan.FromSeconds(2)).CountByEventWindow(TimeSpan.FromSeconds(10));
            counts.ForEachBatch((_, _) => { });
            return counts.LateRecords().Map(r => $"{r.Key}@{r.Second}");
        });

        var output = run.RunToList(5);

        Assert.Equal([[], ["a@2"], ["a@9"], [], []], output.Select(b => b.ToArray()).ToArray());
    }

    [Fact]
    public void The_late_record_counter_is_published_through_System_Diagnostics_Metrics()
    {
        long late = 0;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == StreamingMetrics.MeterName && instrument.Name == StreamingMetrics.LateRecords)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "operator" && (string?)tag.Value == "WindowByEventTime")
                {
                    Interlocked.Add(ref late, value);
                }
            }
        });
        listener.Start();

        StreamingTest.Run(OutOfOrder, readings => readings.WithEventTime(r => r.Time, TimeSpan.FromSeconds(2)).WindowByEventTime(TimeSpan.FromSeconds(10)), 5);

        Assert.Equal(2, Interlocked.Read(ref late));
    }

    [Fact]
    public void WindowByEventTime_gives_each_complete_window_its_records_in_arrival_order()
    {
        var output = StreamingTest.Run(
            OutOfOrder,
            readings => readings.WithEventTime(r => r.Time, TimeSpan.FromSeconds(2))
                .Filter(r => r.Key == "a")
                .Map(r => r.Second)
                .WindowByEventTime(TimeSpan.FromSeconds(10))
                .Map(w => Show(w with { Value = [] }) + ":" + string.Join(",", w.Value)),
            numBatches: 5);

        Assert.Equal(["[0,10) System.Int32[]:1,5"], output[1]);
        Assert.Equal(["[10,20) System.Int32[]:12"], output[3]);
    }

    [Fact]
    public void Sliding_windows_count_a_record_in_every_window_that_covers_it_and_early_results_update_each_batch()
    {
        Reading[][] input =
        [
            [R("a", 7)],
            [R("a", 3)],
            [R("a", 20)], // watermark 20: [0,10) and [5,15) complete
        ];

        var output = Canonical(StreamingTest.Run(
            input,
            readings => readings.WithEventTime(r => r.Time, TimeSpan.Zero)
                .Map(r => (r.Key, r.Value))
                .ReduceByKeyAndEventWindow((x, y) => x + y, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), new EventWindowOptions { EmitEarlyResults = true })
                .Map(Show),
            numBatches: 3));

        Assert.Equal(["[0,10) a=1 early", "[5,15) a=1 early"], output[0]);
        Assert.Empty(output[1]); // a@3 is before the watermark 7: late, nothing changed
        Assert.Equal(["[0,10) a=1", "[15,25) a=1 early", "[20,30) a=1 early", "[5,15) a=1"], output[2]);
    }

    [Fact]
    public void The_watermark_is_the_latest_event_time_minus_the_delay_and_never_goes_back()
    {
        var random = new Random(1234);
        var input = Enumerable.Range(0, 60)
            .Select(b => Enumerable.Range(0, random.Next(0, 5)).Select(_ => R("k", Math.Max(0, (b * 3) + random.Next(-20, 10)))).ToArray())
            .ToArray();
        EventTimeDStream<Reading>? timed = null;
        using var run = StreamingTest.Start(input, readings =>
        {
            timed = readings.WithEventTime(r => r.Time, TimeSpan.FromSeconds(4));
            return timed.CountByEventWindow(TimeSpan.FromSeconds(5)).Map(Show);
        });

        DateTimeOffset? previous = null;
        var maxSeen = int.MinValue;
        var decreasesAvoided = 0;
        foreach (var batch in input)
        {
            run.Step();
            var batchMax = batch.Length == 0 ? int.MinValue : batch.Max(r => r.Second);
            if (batchMax < maxSeen && batch.Length > 0)
            {
                decreasesAvoided++;
            }

            maxSeen = Math.Max(maxSeen, batchMax);
            var watermark = timed!.Watermark;
            if (maxSeen == int.MinValue)
            {
                Assert.Null(watermark);
                continue;
            }

            Assert.Equal(At(maxSeen - 4), watermark);
            Assert.True(previous is null || watermark >= previous, $"The watermark went back from {previous} to {watermark}.");
            previous = watermark;
        }

        Assert.True(decreasesAvoided > 5, "The input should hold batches whose latest event is older than the watermark's.");
    }

    [Fact]
    public void Window_state_stays_bounded_over_10000_batches_as_the_watermark_evicts_it()
    {
        const int Batches = 10_000;
        var input = Enumerable.Range(0, Batches)
            .Select(b => new[] { R($"k{b % 7}", b), R($"k{(b + 3) % 7}", Math.Max(0, b - 3)), R("late", Math.Max(0, b - 100)) })
            .ToArray();
        EventTimeAggregateDStream<EventWindow<string, int>, (string Key, int Value)>? windows = null;
        EventTimeAggregateDStream<EventWindow<string, int>, (string Key, int Value)>? sessions = null;
        EventTimeAggregateDStream<int, (string Key, int Value)>? state = null;
        using var run = StreamingTest.Start(input, readings =>
        {
            var pairs = readings.WithEventTime(r => r.Time, TimeSpan.FromSeconds(5)).Map(r => (r.Key, r.Value));
            windows = pairs.ReduceByKeyAndEventWindow((x, y) => x + y, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));
            sessions = pairs.Map(p => (Key: p.Key + "-" + (p.Value / 50), p.Value)).ReduceByKeyAndSessionWindow((x, y) => x + y, TimeSpan.FromSeconds(3));
            state = pairs.Map(p => (Key: p.Key + "-" + p.Value, p.Value)).MapWithState(
                StateSpec.Function((string _, Optional<int> value, State<int> s) =>
                {
                    if (!s.IsTimingOut)
                    {
                        s.Update(value.GetValueOrDefault(0));
                    }

                    return 0;
                }).Timeout(TimeSpan.FromSeconds(4)));
            sessions.ForEachBatch((_, _) => { });
            state.ForEachBatch((_, _) => { });
            return windows;
        });

        var maxWindows = 0;
        var maxSessions = 0;
        var maxKeys = 0;
        long emitted = 0;
        for (var i = 0; i < Batches; i++)
        {
            emitted += run.Step().Records.Count;
            maxWindows = Math.Max(maxWindows, windows!.OpenEntryCount);
            maxSessions = Math.Max(maxSessions, sessions!.OpenEntryCount);
            maxKeys = Math.Max(maxKeys, state!.OpenEntryCount);
        }

        // Events span at most the 5 s delay + a 10 s window of open time at 2 s slides, for 7 keys.
        Assert.InRange(maxWindows, 1, 7 * 10);
        Assert.InRange(maxSessions, 1, 7 * 4);
        Assert.InRange(maxKeys, 1, 2 * 15);
        Assert.True(emitted > Batches, $"Only {emitted} window results were emitted.");
        Assert.True(windows!.LateRecordCount >= Batches - 200, $"{windows.LateRecordCount} late records counted.");
    }
}
