namespace Pipelines.Benchmarks.Windows;

/// <summary>
/// W3 as Pipelines definitions: the count per key over the last 10 or 60 batches (batch interval 1 s), slide
/// one batch, incremental (with the inverse function, dropping keys whose count returned to zero) and recomputed.
/// The generator compiles the per-batch part into <c>Compile…</c>; the window itself is the runtime's.
/// </summary>
[StreamingPipeline]
public static partial class WindowedCountPipeline
{
    /// <summary>Incremental, window 10 batches.</summary>
    public static DStream<(int Key, int Value)> DefineIncremental10(DStream<(int Key, int Value)> pairs) =>
        pairs.ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, TimeSpan.FromSeconds(10), filter: pair => pair.Value != 0);

    /// <summary>Incremental, window 60 batches.</summary>
    public static DStream<(int Key, int Value)> DefineIncremental60(DStream<(int Key, int Value)> pairs) =>
        pairs.ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, TimeSpan.FromSeconds(60), filter: pair => pair.Value != 0);

    /// <summary>Recomputed from the window's batches, window 10 batches.</summary>
    public static DStream<(int Key, int Value)> DefineRecompute10(DStream<(int Key, int Value)> pairs) =>
        pairs.ReduceByKeyAndWindow((a, b) => a + b, TimeSpan.FromSeconds(10));

    /// <summary>Recomputed from the window's batches, window 60 batches.</summary>
    public static DStream<(int Key, int Value)> DefineRecompute60(DStream<(int Key, int Value)> pairs) =>
        pairs.ReduceByKeyAndWindow((a, b) => a + b, TimeSpan.FromSeconds(60));
}
