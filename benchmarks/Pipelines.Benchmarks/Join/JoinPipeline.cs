namespace Pipelines.Benchmarks.Join;

/// <summary>W4 as a Pipelines definition: inner join of two keyed streams, then the sum of left × right.</summary>
[StreamingPipeline]
public static partial class JoinPipeline
{
    /// <summary>The definition; run as written it is the interpreted path, and the generator compiles it into <c>Compile</c>.</summary>
    public static DStream<long> Define(DStream<(int Key, int Value)> left, DStream<(int Key, int Value)> right) =>
        left.Join(right)
            .Map(pair => (long)pair.Value.Left * pair.Value.Right)
            .Reduce((a, b) => a + b);
}
