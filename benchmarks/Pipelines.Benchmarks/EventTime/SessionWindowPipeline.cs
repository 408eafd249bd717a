namespace Pipelines.Benchmarks.EventTime;

/// <summary>
/// The session-window benchmark as a Pipelines definition: records are (key, event second); the count per key in
/// event-time sessions with a 3 s gap, with a watermark 5 s behind the latest event. <c>Compile</c> fuses the
/// event-time reader, the late check and the per-key session merge into one generated loop.
/// </summary>
[StreamingPipeline]
public static partial class SessionWindowPipeline
{
    /// <summary>Each closed session's count per key, with the session's start folded into the value for the checksum.</summary>
    public static DStream<(int Key, long Value)> Define(DStream<(int Key, int Value)> events) =>
        events.WithEventTime(e => DateTimeOffset.UnixEpoch.AddSeconds(e.Value), TimeSpan.FromSeconds(5))
              .Map(e => (e.Key, 1L))
              .ReduceByKeyAndSessionWindow((a, b) => a + b, TimeSpan.FromSeconds(3))
              .Map(w => (w.Key, w.Value + (w.Start.ToUnixTimeSeconds() << 24) + (w.End.ToUnixTimeSeconds() << 44)));
}
