namespace Pipelines.Benchmarks.EventTime;

/// <summary>
/// The event-time window benchmark as a Pipelines definition: records are (key, event second); the count per key in
/// event-time windows of 10 s sliding by 5 s, with a watermark 5 s behind the latest event. <c>Compile</c> fuses the
/// event-time reader, the late check and the pre-aggregation by (window, key) into one generated loop.
/// </summary>
[StreamingPipeline]
public static partial class EventWindowPipeline
{
    /// <summary>Each final window's count per key, with the window's start folded into the value for the checksum.</summary>
    public static DStream<(int Key, long Value)> Define(DStream<(int Key, int Value)> events) =>
        events.WithEventTime(e => DateTimeOffset.UnixEpoch.AddSeconds(e.Value), TimeSpan.FromSeconds(5))
              .Map(e => (e.Key, 1L))
              .ReduceByKeyAndEventWindow((a, b) => a + b, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5))
              .Map(w => (w.Key, w.Value + (w.Start.ToUnixTimeSeconds() << 24)));
}
