using Pipelines.Testing;
using static Pipelines.Tests.EventTime.EventTimeTestData;

namespace Pipelines.Tests.EventTime;

public sealed class SessionAndStateTests
{
    [Fact]
    public void Sessions_merge_across_batches_when_a_record_bridges_them()
    {
        Reading[][] input =
        [
            [R("a", 0, 1), R("b", 1, 100)],
            [R("a", 10, 2)],               // a: [0,6) and [10,16), apart
            [R("a", 5, 4)],                // a@5 bridges both: [0,16) = 7
            [R("a", 40, 8)],               // watermark 20: a [0,16) and b [1,7) complete
            [R("b", 2, 9)],                // b@2 is before the watermark: late, b's closed session stays closed
        ];

        EventTimeAggregateDStream<EventWindow<string, int>, (string Key, int Value)>? sessions = null;
        using var run = StreamingTest.Start(input, readings =>
        {
            sessions = readings.WithEventTime(r => r.Time, TimeSpan.FromSeconds(20))
                .Map(r => (r.Key, r.Value))
                .ReduceByKeyAndSessionWindow((x, y) => x + y, TimeSpan.FromSeconds(6));
            return sessions.Map(Show);
        });

        var output = Canonical(run.RunToList(5));

        Assert.Equal([[], [], [], ["[0,16) a=7", "[1,7) b=100"], []], output);
        Assert.Equal(1, sessions!.LateRecordCount);
        Assert.Equal(1, sessions.OpenEntryCount); // a [40,46)
    }

    [Fact]
    public void Early_session_results_show_the_sessions_each_batch_changed()
    {
        Reading[][] input = [[R("a", 0, 1)], [R("a", 3, 2)], [R("b", 30, 1)]];

        var output = Canonical(StreamingTest.Run(
            input,
            readings => readings.WithEventTime(r => r.Time, TimeSpan.FromSeconds(10))
                .Map(r => (r.Key, r.Value))
                .ReduceByKeyAndSessionWindow((x, y) => x + y, TimeSpan.FromSeconds(5), new EventWindowOptions { EmitEarlyResults = true })
                .Map(Show),
            numBatches: 3));

        Assert.Equal(
            [
                ["[0,5) a=1 early"],
                ["[0,8) a=3 early"],
                ["[0,8) a=3", "[30,35) b=1 early"],
            ],
            output);
    }

    [Fact]
    public void MapWithState_times_keys_out_in_event_time_not_in_batches()
    {
        // Timeout 5 s of event time; maxDelay 0. Batches come every second but event time jumps.
        Reading[][] input =
        [
            [R("a", 100), R("b", 100)],
            [R("b", 103)],               // watermark 103
            [R("clock", 104)],           // watermark 104: a's deadline 105 not reached
            [R("clock", 105)],           // watermark 105: a times out (its batch brings no a)
            [],                          // no event: the watermark stays, b (deadline 108) stays
            [R("clock", 200), R("b", 150)], // b@150 is late (watermark 105? no: 150 >= 105, on time) -> b updated, not timed out
            [R("clock", 201)],           // watermark 201: b (deadline 155) times out; clock (deadline 205) stays
        ];

        EventTimeAggregateDStream<string, (string Key, int Value)>? state = null;
        using var run = StreamingTest.Start(input, readings =>
        {
            state = readings.WithEventTime(r => r.Time, TimeSpan.Zero)
                .Map(r => (r.Key, r.Value))
                .MapWithState(StateSpec.Function((string key, Optional<int> value, State<int> s) =>
                {
                    if (s.IsTimingOut)
                    {
                        return $"{key} timed out with {s.Get()}";
                    }

                    s.Update(s.GetOption().GetValueOrDefault(0) + value.GetValueOrDefault(0));
                    return key == "clock" ? string.Empty : $"{key}={s.Get()}";
                }).Timeout(TimeSpan.FromSeconds(5)));
            return state.Filter(s => s.Length > 0);
        });

        var output = Canonical(run.RunToList(7));

        Assert.Equal(
            [
                ["a=1", "b=1"],
                ["b=2"],
                [],
                ["a timed out with 1"],
                [],
                ["b=3"],
                ["b timed out with 3"],
            ],
            output);
        Assert.Equal(0, state!.LateRecordCount);
        Assert.Equal(1, state.OpenEntryCount); // clock
    }

    [Fact]
    public void MapWithState_drops_and_counts_records_later_than_the_watermark()
    {
        Reading[][] input = [[R("a", 50)], [R("a", 10), R("a", 49)], []];
        EventTimeAggregateDStream<int, (string Key, int Value)>? state = null;
        var output = StreamingTest.Run(input, readings =>
        {
            state = readings.WithEventTime(r => r.Time, TimeSpan.FromSeconds(1))
                .Map(r => (r.Key, r.Value))
                .MapWithState(StateSpec.Function((string _, Optional<int> v, State<int> s) =>
                {
                    s.Update(s.GetOption().GetValueOrDefault(0) + v.GetValueOrDefault(0));
                    return s.Get();
                }));
            return state;
        }, numBatches: 3);

        Assert.Equal([[1], [2], []], output.Select(b => b.ToArray()).ToArray());
        Assert.Equal(1, state!.LateRecordCount);
    }

    [Fact]
    public void Invalid_arguments_fail_at_definition_with_a_clear_message()
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1));
        var stream = context.QueueStream<Reading>([]);
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => stream.WithEventTime(r => r.Time, TimeSpan.FromSeconds(-1)));
        Assert.Contains("maxDelay", negative.Message, StringComparison.Ordinal);
        var timed = stream.WithEventTime(r => r.Time, TimeSpan.Zero);
        var slide = Assert.Throws<ArgumentOutOfRangeException>(() => timed.CountByEventWindow(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)));
        Assert.Contains("no longer than the window", slide.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => timed.Map(r => (r.Key, r.Value)).ReduceByKeyAndSessionWindow((a, b) => a + b, TimeSpan.Zero));
    }
}
