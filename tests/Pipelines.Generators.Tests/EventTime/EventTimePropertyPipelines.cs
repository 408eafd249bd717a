using Pipelines.Tests.EventTime;

namespace Pipelines.Generators.Tests.Compiled;

/// <summary>
/// (Outside Compiled/: they use the linked reference records, which the SDK build test's project does not have.)
/// The event-time property tests' pipelines (records: <see cref="Reading"/>), one per window shape, compiled with the
/// event-time window fused: <c>WithEventTime</c>'s function, the event-time Map and the pre-aggregation run in the
/// generated loop.
/// </summary>
[StreamingPipeline]
internal static partial class EventTimePropertyPipelines
{
    public static DStream<EventWindow<string, int>> DefineSlidingSums(DStream<Reading> readings) =>
        readings.WithEventTime(r => r.Time, TimeSpan.FromSeconds(2))
                .Map(r => (r.Key, r.Value))
                .ReduceByKeyAndEventWindow((x, y) => x + y, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(2));

    public static DStream<EventWindow<string, int>> DefineHoppingSums(DStream<Reading> readings) =>
        readings.WithEventTime(r => r.Time, TimeSpan.FromSeconds(5))
                .Map(r => (r.Key, r.Value))
                .ReduceByKeyAndEventWindow((x, y) => x + y, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5));

    public static DStream<EventWindow<string, int>> DefineTumblingSums(DStream<Reading> readings) =>
        readings.WithEventTime(r => r.Time, TimeSpan.Zero)
                .Map(r => (r.Key, r.Value))
                .ReduceByKeyAndEventWindow((x, y) => x + y, TimeSpan.FromSeconds(4));

    public static DStream<(string Key, int Value)> DefineSlidingLateRecords(DStream<Reading> readings) =>
        readings.WithEventTime(r => r.Time, TimeSpan.FromSeconds(2))
                .Map(r => (r.Key, r.Value))
                .ReduceByKeyAndEventWindow((x, y) => x + y, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(2))
                .LateRecords();

    public static DStream<EventWindow<string, long>> DefineKeyCounts(DStream<Reading> readings) =>
        readings.WithEventTime(r => r.Time, TimeSpan.FromSeconds(5))
                .Filter(r => r.Value > 0)
                .Map(r => (r.Key, r.Value))
                .CountByKeyAndEventWindow(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5));

    public static DStream<string> DefineEarlyCounts(DStream<Reading> readings) =>
        readings.WithEventTime(r => r.Time, TimeSpan.FromSeconds(3))
                .CountByEventWindow(TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(3), new EventWindowOptions { EmitEarlyResults = true })
                .Map(w => EventTimeTestData.Show(w));

    public static DStream<string> DefineWindowedRecords(DStream<Reading> readings) =>
        readings.Filter(r => r.Key != "c")
                .WithEventTime(r => r.Time, TimeSpan.FromSeconds(4))
                .FlatMap(r => new[] { r, r with { Second = r.Second + 1 } })
                .WindowByEventTime(TimeSpan.FromSeconds(5))
                .Map(w => EventTimeTestData.Show(new EventWindow<string>(w.Start, w.End, string.Join(",", w.Value.Select(r => r.Key + r.Value)), w.IsFinal)));

    public static DStream<EventWindow<string, int>> DefineBlockReducer(DStream<Reading> readings) =>
        readings.WithEventTime(r => r.Time, TimeSpan.FromSeconds(2))
                .Map(r => (r.Key, r.Value))
                .MapValues(v => v * 2)
                .ReduceByKeyAndEventWindow((x, y) =>
                {
                    var sum = x + y;
                    return sum;
                }, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(2));

    public static DStream<EventWindow<string, int>> DefineUnionSums(DStream<Reading> fast, DStream<Reading> slow) =>
        fast.WithEventTime(r => r.Time, TimeSpan.FromSeconds(2))
            .Union(slow.WithEventTime(r => r.Time, TimeSpan.FromSeconds(4)), TimeSpan.FromSeconds(3))
            .Map(r => (r.Key, r.Value))
            .ReduceByKeyAndEventWindow((x, y) => x + y, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(3));
}
