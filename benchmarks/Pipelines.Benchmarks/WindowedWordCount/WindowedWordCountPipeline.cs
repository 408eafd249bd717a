namespace Pipelines.Benchmarks.WindowedWordCount;

/// <summary>
/// W7 as a Pipelines definition: the word counts of the last 10 batches (batch interval 1 s), output at every
/// batch, incremental (the inverse function subtracts the batch leaving the window; the filter drops words whose
/// count went back to zero).
/// </summary>
[StreamingPipeline]
public static partial class WindowedWordCountPipeline
{
    /// <summary>The window length in batches.</summary>
    public const int Window = 10;

    /// <summary>The definition; run as written it is the interpreted path, and the generator compiles it into <c>Compile</c>.</summary>
    public static DStream<(string Key, int Value)> Define(DStream<string> lines) =>
        lines.FlatMap(line => line.Split(' '))
             .Map(word => (word, 1))
             .ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, TimeSpan.FromSeconds(10), filter: pair => pair.Value != 0);
}
