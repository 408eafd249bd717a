using Pipelines;

namespace Pipelines.Samples.KafkaWordCount;

/// <summary>The pipeline: split lines into words and count each word per batch (compiled by the generator).</summary>
[StreamingPipeline]
public static partial class KafkaWordCount
{
    /// <summary>Counts the words of each batch of lines.</summary>
    public static DStream<(string Word, int Count)> Define(DStream<string> lines) =>
        lines.FlatMap(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
             .Map(word => (word, 1))
             .ReduceByKey((a, b) => a + b);
}
