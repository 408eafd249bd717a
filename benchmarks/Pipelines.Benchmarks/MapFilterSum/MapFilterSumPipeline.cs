namespace Pipelines.Benchmarks.MapFilterSum;

/// <summary>W1 as a Pipelines definition: x * 3, keep the even ones, widen to long, sum.</summary>
[StreamingPipeline]
public static partial class MapFilterSumPipeline
{
    /// <summary>The definition; run as written it is the interpreted path, and the generator compiles it into <c>Compile</c>.</summary>
    public static DStream<long> Define(DStream<int> numbers) =>
        numbers.Map(x => x * 3)
               .Filter(x => x % 2 == 0)
               .Map(x => (long)x)
               .Reduce((a, b) => a + b);
}
