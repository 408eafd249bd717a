using Pipelines.Tests.EventTime;

namespace Pipelines.Generators.Tests.Compiled;

/// <summary>
/// (Outside Compiled/: they use the linked reference records, which the SDK build test's project does not have.)
/// The session-window property tests' pipelines (records: <see cref="Reading"/>), compiled with the session window
/// fused: <c>WithEventTime</c>'s function, the narrow operators around it and the per-key session merge run in the
/// generated loop; the runtime keeps the sessions and the watermark.
/// </summary>
[StreamingPipeline]
internal static partial class SessionPropertyPipelines
{
    public static DStream<EventWindow<string, int>> DefineSessionsDelay2Gap3(DStream<Reading> readings) =>
        readings.WithEventTime(r => r.Time, TimeSpan.FromSeconds(2))
                .Map(r => (r.Key, r.Value))
                .ReduceByKeyAndSessionWindow((x, y) => x + y, TimeSpan.FromSeconds(3));

    public static DStream<EventWindow<string, int>> DefineSessionsDelay5Gap1(DStream<Reading> readings) =>
        readings.WithEventTime(r => r.Time, TimeSpan.FromSeconds(5))
                .Map(r => (r.Key, r.Value))
                .ReduceByKeyAndSessionWindow((x, y) => x + y, TimeSpan.FromSeconds(1));

    public static DStream<EventWindow<string, int>> DefineSessionsDelay0Gap4(DStream<Reading> readings) =>
        readings.WithEventTime(r => r.Time, TimeSpan.Zero)
                .Map(r => (r.Key, r.Value))
                .ReduceByKeyAndSessionWindow((x, y) => x + y, TimeSpan.FromSeconds(4));

    public static DStream<(string Key, int Value)> DefineSessionLateRecords(DStream<Reading> readings) =>
        readings.WithEventTime(r => r.Time, TimeSpan.FromSeconds(2))
                .Map(r => (r.Key, r.Value))
                .ReduceByKeyAndSessionWindow((x, y) => x + y, TimeSpan.FromSeconds(3))
                .LateRecords();

    /// <summary>A Filter and a Map before <c>WithEventTime</c> (they move the watermark too).</summary>
    public static DStream<EventWindow<string, int>> DefineFilteredBeforeSessions(DStream<Reading> readings) =>
        readings.Filter(r => r.Key != "c")
                .Map(r => r with { Value = r.Value * 10 })
                .WithEventTime(r => r.Time, TimeSpan.FromSeconds(2))
                .Map(r => (r.Key, r.Value))
                .ReduceByKeyAndSessionWindow((x, y) => x + y, TimeSpan.FromSeconds(3));

    /// <summary>A Filter and a Map after the sessions (a compiled stage reading the fused one's results).</summary>
    public static DStream<string> DefineSessionsFilteredAfter(DStream<Reading> readings) =>
        readings.WithEventTime(r => r.Time, TimeSpan.FromSeconds(3))
                .Map(r => (r.Key, r.Value))
                .ReduceByKeyAndSessionWindow((x, y) => x + y, TimeSpan.FromSeconds(2))
                .Filter(w => w.Value > 4)
                .Map(w => EventTimeTestData.Show(w));

    /// <summary>The event-time Filter, FlatMap and MapValues between <c>WithEventTime</c> and the sessions, with early results.</summary>
    public static DStream<string> DefineEarlySessions(DStream<Reading> readings) =>
        readings.WithEventTime(r => r.Time, TimeSpan.FromSeconds(3))
                .Filter(r => r.Value != 5)
                .FlatMap(r => new[] { r, r with { Key = r.Key + "+" } })
                .Map(r => (r.Key, r.Value))
                .MapValues(v => v + 1)
                .ReduceByKeyAndSessionWindow((x, y) => x + y, TimeSpan.FromSeconds(3), new EventWindowOptions { EmitEarlyResults = true })
                .Map(w => EventTimeTestData.Show(w));

    /// <summary>A reducer that is neither commutative nor associative: both paths must call it in the same order.</summary>
    public static DStream<string> DefineOrderedSessions(DStream<Reading> readings) =>
        readings.WithEventTime(r => r.Time, TimeSpan.FromSeconds(4))
                .Map(r => (r.Key, r.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) + "@" + r.Second.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                .ReduceByKeyAndSessionWindow((x, y) => "(" + x + " " + y + ")", TimeSpan.FromSeconds(3))
                .Map(w => EventTimeTestData.Show(w));

    /// <summary>A block-bodied reducer (a local function of the generated <c>Reduce</c>).</summary>
    public static DStream<EventWindow<string, long>> DefineBlockReducerSessions(DStream<Reading> readings) =>
        readings.WithEventTime(r => r.Time, TimeSpan.FromSeconds(2))
                .Map(r => (r.Key, (long)r.Value))
                .ReduceByKeyAndSessionWindow((x, y) =>
                {
                    var sum = x + y;
                    return sum;
                }, TimeSpan.FromSeconds(3));

    /// <summary>Text lines of "key@second=value" readings: the FlatMap and Map before <c>WithEventTime</c> are fused too.</summary>
    public static DStream<EventWindow<string, int>> DefineSessionsFromLines(DStream<string> lines) =>
        lines.FlatMap(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
             .Map(text => Reading.Parse(text))
             .WithEventTime(r => r.Time, TimeSpan.FromSeconds(3))
             .Map(r => (r.Key, r.Value))
             .ReduceByKeyAndSessionWindow((a, b) => a + b, TimeSpan.FromSeconds(3));
}
