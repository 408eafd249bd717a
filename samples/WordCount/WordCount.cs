using Pipelines;

namespace Pipelines.Samples.WordCount;

/// <summary>
/// The pipeline: split lines into words and count each word per batch. <c>Define</c> is the definition (it runs
/// interpreted as written); the generator emits <c>Compile</c>, which runs the same chain as one fused loop.
/// </summary>
[StreamingPipeline]
public static partial class WordCount
{
    /// <summary>Counts the words of each batch of lines.</summary>
    public static DStream<(string Word, int Count)> Define(DStream<string> lines) =>
        lines.FlatMap(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
             .Map(word => (word, 1))
             .ReduceByKey((a, b) => a + b);
}
