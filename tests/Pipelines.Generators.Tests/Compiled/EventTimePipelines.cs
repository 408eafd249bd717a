namespace Pipelines.Generators.Tests.Compiled;

/// <summary>
/// Event-time definitions (records are (event second, value)): the event-time windows and sessions are fused with the
/// stages before them and the stages after them are compiled; event-time state runs in the runtime, called as written.
/// </summary>
[StreamingPipeline]
public static partial class EventTimePipelines
{
    public static DStream<EventWindow<int, int>> DefineEventWindowSums(DStream<(int, int)> events) =>
        events.Filter(e => e.Item2 >= 0)
              .WithEventTime(e => DateTimeOffset.UnixEpoch.AddSeconds(e.Item1), TimeSpan.FromSeconds(5))
              .Map(e => (e.Item2 % 3, e.Item2))
              .ReduceByKeyAndEventWindow((a, b) => a + b, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5));

    public static DStream<long> DefineEarlyEventWindowCounts(DStream<(int, int)> events) =>
        events.WithEventTime(e => DateTimeOffset.UnixEpoch.AddSeconds(e.Item1), TimeSpan.FromSeconds(3))
              .Filter(e => e.Item2 % 2 == 0)
              .CountByEventWindow(TimeSpan.FromSeconds(6), options: new EventWindowOptions { EmitEarlyResults = true })
              .Map(w => (w.IsFinal ? 1000L : 0L) + w.Value);

    public static DStream<EventWindow<int, int>> DefineSessions(DStream<(int, int)> events) =>
        events.Map(e => (e.Item1, e.Item2))
              .WithEventTime(e => DateTimeOffset.UnixEpoch.AddSeconds(e.Item1), TimeSpan.FromSeconds(4))
              .Map(e => (Math.Abs(e.Item2) % 2, 1))
              .MapValues(v => v * 2)
              .ReduceByKeyAndSessionWindow((a, b) => a + b, TimeSpan.FromSeconds(3));

    /// <summary>Sessions whose fused loop throws on some records (13): the failing batches must fail in both paths, and the sessions agree after them.</summary>
    public static DStream<EventWindow<int, int>> DefineThrowingSessions(DStream<int> numbers) =>
        numbers.WithEventTime(n => DateTimeOffset.UnixEpoch.AddSeconds(n), TimeSpan.FromSeconds(2))
               .Map(n => (n % 3, 120 / (n - 13)))
               .ReduceByKeyAndSessionWindow((a, b) => a + b, TimeSpan.FromSeconds(2));

    /// <summary>An event-time window whose fused loop throws on some records (13), as <see cref="DefineThrowingSessions"/>.</summary>
    public static DStream<EventWindow<int, int>> DefineThrowingEventWindow(DStream<int> numbers) =>
        numbers.WithEventTime(n => DateTimeOffset.UnixEpoch.AddSeconds(n), TimeSpan.FromSeconds(2))
               .Map(n => (n % 3, 120 / (n - 13)))
               .ReduceByKeyAndEventWindow((a, b) => a + b, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(2));

    public static DStream<(int, int)> DefineLateRecords(DStream<(int, int)> events) =>
        events.WithEventTime(e => DateTimeOffset.UnixEpoch.AddSeconds(e.Item1), TimeSpan.FromSeconds(2))
              .CountByEventWindow(TimeSpan.FromSeconds(5))
              .LateRecords();

    public static DStream<string> DefineEventTimeTimeouts(DStream<(int, int)> events) =>
        events.WithEventTime(e => DateTimeOffset.UnixEpoch.AddSeconds(e.Item1), TimeSpan.FromSeconds(2))
              .FlatMap(e => new[] { (e.Item2 % 4, e.Item2) })
              .MapWithState(StateSpec.Function((int key, Optional<int> value, State<int> state) =>
              {
                  if (state.IsTimingOut)
                  {
                      return $"{key} out {state.Get()}";
                  }

                  state.Update((state.Exists ? state.Get() : 0) + value.GetValueOrDefault(0));
                  return $"{key}={state.Get()}";
              }).Timeout(TimeSpan.FromSeconds(6)))
              .Filter(s => s.Length > 0);
}
