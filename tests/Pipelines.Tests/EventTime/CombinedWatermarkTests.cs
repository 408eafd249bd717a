using Pipelines.Testing;
using static Pipelines.Tests.EventTime.EventTimeTestData;

namespace Pipelines.Tests.EventTime;

/// <summary>
/// Union and Join of two event-time streams: one watermark, the minimum of the inputs' (idle inputs left out after the
/// idle timeout), never going back; event-time windows after them against the reference; late records counted.
/// </summary>
public sealed class CombinedWatermarkTests
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(3);

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 30)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Windows_after_a_union_equal_the_reference_with_the_minimum_watermark(int seed)
    {
        var random = new Random(seed);
        var fast = EventTimeReference.RandomStream(seed, 30);
        // The second input runs 20 s behind, and sometimes has no batch or an empty one (idle spells).
        Reading[]?[] slow = [.. EventTimeReference.RandomStream(seed + 100, 30).Select(b => random.Next(6) switch
        {
            0 => null,
            1 => [],
            _ => b.Select(r => r with { Key = r.Key.ToUpperInvariant(), Second = Math.Max(0, r.Second - 20) }).ToArray(),
        })];
        var watermarks = EventTimeReference.CombinedWatermarks([fast, slow], [2, 4], idleBatches: 3);
        Reading[][] merged = [.. fast.Select((b, i) => b.Concat(slow[i] ?? []).ToArray())];
        var expected = EventTimeReference.SlidingSums(merged, watermarks, 6, 3);
        var (_, late) = EventTimeReference.Split(merged, watermarks);

        var seen = new List<DateTimeOffset?>();
        EventTimeAggregateDStream<EventWindow<string, int>, (string Key, int Value)>? sums = null;
        using var run = StreamingTest.Start(fast, slow, (a, b) =>
        {
            var union = a.WithEventTime(r => r.Time, TimeSpan.FromSeconds(2))
                .Union(b.WithEventTime(r => r.Time, TimeSpan.FromSeconds(4)), Idle);
            sums = union.Map(r => (r.Key, r.Value)).ReduceByKeyAndEventWindow((x, y) => x + y, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(3));
            sums.ForEachBatch((_, _) => seen.Add(union.Watermark));
            return sums.Map(Show);
        });
        var actual = run.RunToList(fast.Length);

        Assert.Equal(Canonical(expected), Canonical(actual));
        Assert.Equal(late, sums!.LateRecordCount);
        Assert.Equal(watermarks.Select(w => w.After is { } s ? At(s) : (DateTimeOffset?)null), seen);
        Assert.Equal(seen.OrderBy(w => w ?? DateTimeOffset.MinValue), seen); // monotone
        Assert.Contains(expected, batch => batch.Count > 0);
    }

    [Fact]
    public void An_input_far_behind_holds_the_watermark_back_so_its_records_are_not_late()
    {
        Reading[][] ahead = [[R("a", 1000)], [R("a", 1001)], [R("a", 1002)], [R("a", 1003)]];
        Reading[][] behind = [[R("b", 0)], [R("b", 1)], [R("b", 2)], [R("b", 3), R("b", 0)]];

        EventTimeAggregateDStream<EventWindow<long>, Reading>? counts = null;
        EventTimeDStream<Reading>? union = null;
        var actual = StreamingTest.Run(ahead, behind, (a, b) =>
        {
            union = a.WithEventTime(r => r.Time, TimeSpan.Zero).Union(b.WithEventTime(r => r.Time, TimeSpan.Zero), Idle);
            counts = union.CountByEventWindow(TimeSpan.FromSeconds(2));
            return counts.Map(Show);
        }, 4);

        // The watermark follows the input behind (min(1003, 3) = 3): b's records are on time, only b@0 in the last batch is late.
        Assert.Equal(At(3), union!.Watermark);
        Assert.Equal(1, counts!.LateRecordCount);
        Assert.Equal(["[0,2) 2"], actual[2]);
        Assert.Empty(actual[3]); // [2,4) stays open: the watermark is 3
    }

    [Fact]
    public void An_idle_input_stops_holding_the_watermark_back_and_its_old_records_are_late_when_it_returns()
    {
        Reading[][] busy = [.. Enumerable.Range(0, 8).Select(i => new[] { R("a", 10 * (i + 1)) })];
        Reading[]?[] quiet = [[R("b", 1)], null, [], null, null, null, [R("b", 2)], []];

        EventTimeAggregateDStream<EventWindow<long>, Reading>? counts = null;
        var watermarks = new List<DateTimeOffset?>();
        var actual = StreamingTest.Run(busy, quiet, (a, b) =>
        {
            var union = a.WithEventTime(r => r.Time, TimeSpan.Zero).Union(b.WithEventTime(r => r.Time, TimeSpan.Zero), Idle);
            counts = union.CountByEventWindow(TimeSpan.FromSeconds(10));
            counts.ForEachBatch((_, _) => watermarks.Add(union.Watermark));
            return counts.Map(Show);
        }, 8);

        // Held at b's 1 s for the first batches; b idle from batch 4 (3 s without a record): a's watermark rules. When b
        // returns (at 2 s), it holds the watermark again (at 60 s, never going back) until it catches up.
        Assert.Equal([At(1), At(1), At(1), At(40), At(50), At(60), At(60), At(60)], watermarks);
        Assert.Equal(1, counts!.LateRecordCount); // b@2 arrives after the watermark passed 60 s
        Assert.Contains("[10,20) 1", actual[3]);
        Assert.Empty(actual[0].Concat(actual[1]).Concat(actual[2]));
    }

    [Fact]
    public void A_join_of_two_event_time_streams_stamps_the_later_event_and_takes_the_minimum_watermark()
    {
        Reading[][] left = [[R("k", 5, 1)], [R("k", 12, 2)], [R("k", 30, 3)]];
        Reading[][] right = [[R("k", 7, 10)], [R("k", 9, 20)], [R("k", 31, 30)]];

        EventTimeDStream<(string Key, (int Left, int Right) Value)>? joined = null;
        var actual = StreamingTest.Run(left, right, (l, r) =>
        {
            joined = l.WithEventTime(x => x.Time, TimeSpan.Zero).Map(x => (x.Key, x.Value))
                .Join(r.WithEventTime(x => x.Time, TimeSpan.Zero).Map(x => (x.Key, x.Value)), Idle);
            return joined.WithTimestamps().Map(p => FormattableString.Invariant($"{(p.EventTime - DateTimeOffset.UnixEpoch).TotalSeconds}:{p.Record.Value.Left}+{p.Record.Value.Right}"));
        }, 3);

        Assert.Equal([["7:1+10"], ["12:2+20"], ["31:3+30"]], actual);
        Assert.Equal(At(30), joined!.Watermark);
    }
}
