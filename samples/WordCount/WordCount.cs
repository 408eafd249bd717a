using Pipelines;

namespace Pipelines.Samples.WordCount;

/// <summary>The pipeline: split lines into words and count each word per batch.</summary>
public static partial class WordCount
{
    /// <summary>Counts the words of each batch of lines.</summary>
    public static DStream<(string Word, int Count)> Define(DStream<string> lines) =>
        lines.FlatMap(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
             .Map(word => (word, 1))
             .ReduceByKey((a, b) => a + b);
}
