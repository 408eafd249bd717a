using Pipelines.Kafka;

namespace Pipelines.ScaleOut.FaultApp;

/// <summary>
/// The repartitioned test pipeline: lines (input partitions not by word) split into words, repartitioned by word, then
/// per word a count over a window of 4 batches sliding by 1 and a running total kept with <c>UpdateStateByKey</c>
/// (dropped after 3 batches without the word, so the output ends when the input does).
/// </summary>
public static class WordCounts
{
    /// <summary>The per-input-partition part: one (word, line) pair per word.</summary>
    public static DStream<(string Key, string Value)> Split(DStream<KafkaRecord<string, string>> lines) =>
        lines.FlatMap(r => r.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => (w, "1")));

    /// <summary>The keyed part, over one repartition partition's pairs.</summary>
    public static DStream<string> Count(DStream<(string Key, string Value)> words, TimeSpan interval)
    {
        var ones = words.Map(w => (w.Key, 1L));
        var windowed = ones
            .ReduceByKeyAndWindow((a, b) => a + b, interval * 4, interval)
            .Map(p => $"w {p.Key} {p.Value}");
        var totals = ones
            .UpdateStateByKey<string, long, (long Total, int Idle)>((values, state) =>
            {
                var (total, idle) = state.HasValue ? state.Value : (0L, 0);
                if (values.Count > 0)
                {
                    return new Optional<(long, int)>((total + values.Count, 0));
                }

                return idle + 1 >= 3 ? default : new Optional<(long, int)>((total, idle + 1));
            })
            .Map(s => $"t {s.Key} {s.State.Total}");
        return windowed.Union(totals);
    }
}
