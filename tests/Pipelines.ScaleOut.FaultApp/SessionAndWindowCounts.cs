using Pipelines.Kafka;

namespace Pipelines.ScaleOut.FaultApp;

/// <summary>
/// The pipeline of the scale-out tests, over records keyed by a word/user (the input topic is partitioned by that key):
/// a keyed windowed count (4 batches, sliding by 1) and a stateful session count (UpdateStateByKey: a session ends
/// after 3 batches without the key). Output lines: <c>w &lt;key&gt; &lt;count&gt;</c> and
/// <c>s &lt;key&gt; &lt;count&gt; &lt;idle batches&gt;</c>.
/// </summary>
public static class SessionAndWindowCounts
{
    /// <summary>Batches without the key after which its session ends.</summary>
    public const int SessionGap = 3;

    /// <summary>The pipeline.</summary>
    public static DStream<string> Define(DStream<KafkaRecord<string, string>> records, TimeSpan interval)
    {
        var pairs = records.Map(r => (r.Key, 1L));
        var windowed = pairs
            .ReduceByKeyAndWindow((a, b) => a + b, interval * 4, interval)
            .Map(p => $"w {p.Key} {p.Value}");
        var sessions = pairs
            .UpdateStateByKey<string, long, (long Count, int Idle)>((values, state) =>
            {
                var (count, idle) = state.HasValue ? state.Value : (0L, 0);
                if (values.Count > 0)
                {
                    return new Optional<(long, int)>((count + values.Count, 0));
                }

                return idle + 1 >= SessionGap ? default : new Optional<(long, int)>((count, idle + 1));
            })
            .Map(s => $"s {s.Key} {s.State.Count} {s.State.Idle}");
        return windowed.Union(sessions);
    }
}
