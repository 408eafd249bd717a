using Pipelines.Testing;
using static Pipelines.Tests.EventTime.EventTimeTestData;

namespace Pipelines.Tests.EventTime;

/// <summary>The event-time operators against <see cref="EventTimeReference"/> on random out-of-order streams (fixed seeds).</summary>
public sealed class EventTimePropertyTests
{
    public static TheoryData<int, int, int, int> WindowCases()
    {
        var cases = new TheoryData<int, int, int, int>();
        int[] delays = [0, 2, 5];
        (int Window, int Slide)[] shapes = [(4, 4), (6, 2), (5, 5), (10, 5), (3, 1)];
        for (var seed = 1; seed <= 30; seed++)
        {
            var shape = shapes[seed % shapes.Length];
            cases.Add(seed, delays[seed % delays.Length], shape.Window, shape.Slide);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(WindowCases))]
    public void Event_time_windows_equal_the_reference_on_random_out_of_order_streams(int seed, int maxDelay, int window, int slide)
    {
        var input = EventTimeReference.RandomStream(seed, 40);
        var expected = EventTimeReference.SlidingSums(input, maxDelay, window, slide);
        var (_, late) = EventTimeReference.Split(input, EventTimeReference.Watermarks(input, maxDelay));

        EventTimeAggregateDStream<EventWindow<string, int>, (string Key, int Value)>? sums = null;
        using var run = StreamingTest.Start(input, readings =>
        {
            sums = readings.WithEventTime(r => r.Time, TimeSpan.FromSeconds(maxDelay))
                .Map(r => (r.Key, r.Value))
                .ReduceByKeyAndEventWindow((x, y) => x + y, TimeSpan.FromSeconds(window), TimeSpan.FromSeconds(slide));
            return sums.Map(Show);
        });
        var actual = run.RunToList(input.Length);

        Assert.Equal(Canonical(expected), Canonical(actual));
        Assert.Equal(late, sums!.LateRecordCount);
        Assert.Contains(expected, batch => batch.Count > 0);
    }

    [Theory]
    [MemberData(nameof(WindowCases))]
    public void Session_windows_equal_the_reference_on_random_out_of_order_streams(int seed, int maxDelay, int window, int slide)
    {
        var gap = Math.Max(1, window - slide + 1);
        var input = EventTimeReference.RandomStream(seed + 1000, 40);
        var expected = EventTimeReference.SessionSums(input, maxDelay, gap);
        var (_, late) = EventTimeReference.Split(input, EventTimeReference.Watermarks(input, maxDelay));

        EventTimeAggregateDStream<EventWindow<string, int>, (string Key, int Value)>? sessions = null;
        using var run = StreamingTest.Start(input, readings =>
        {
            sessions = readings.WithEventTime(r => r.Time, TimeSpan.FromSeconds(maxDelay))
                .Map(r => (r.Key, r.Value))
                .ReduceByKeyAndSessionWindow((x, y) => x + y, TimeSpan.FromSeconds(gap));
            return sessions.Map(Show);
        });
        var actual = run.RunToList(input.Length);

        Assert.Equal(Canonical(expected), Canonical(actual));
        Assert.Equal(late, sessions!.LateRecordCount);
    }

    [Fact]
    public void Early_results_end_in_the_same_final_results()
    {
        var input = EventTimeReference.RandomStream(77, 40);
        var expected = EventTimeReference.SlidingSums(input, 3, 6, 2);

        var actual = StreamingTest.Run(
            input,
            readings => readings.WithEventTime(r => r.Time, TimeSpan.FromSeconds(3))
                .Map(r => (r.Key, r.Value))
                .ReduceByKeyAndEventWindow((x, y) => x + y, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(2), new EventWindowOptions { EmitEarlyResults = true })
                .Map(Show),
            input.Length);

        Assert.Equal(Canonical(expected), Canonical(actual.Select(b => b.Where(s => !s.EndsWith(" early", StringComparison.Ordinal)))));
        Assert.Contains(actual.SelectMany(b => b), s => s.EndsWith(" early", StringComparison.Ordinal));
    }
}
