namespace Pipelines.Benchmarks.WordCount;

/// <summary>W2 as a Pipelines definition: split on spaces, (word, 1), reduce by key.</summary>
[StreamingPipeline]
public static partial class WordCountPipeline
{
    /// <summary>The definition; run as written it is the interpreted path, and the generator compiles it into <c>Compile</c>.</summary>
    public static DStream<(string Key, int Value)> Define(DStream<string> lines) =>
        lines.FlatMap(line => line.Split(' '))
             .Map(word => (word, 1))
             .ReduceByKey((a, b) => a + b);
}
