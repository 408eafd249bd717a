namespace Pipelines.Benchmarks.Parallelism;

/// <summary>A CPU-heavy Map for the parallelism benchmarks: a 64-bit hash of each line, computed 32 times over.</summary>
[StreamingPipeline]
public static partial class HashPipeline
{
    /// <summary>The definition (interpreted) that the generator compiles into <c>Compile</c>.</summary>
    public static DStream<ulong> Define(DStream<string> lines) => lines.Map(line => LineHash.Of(line));
}

/// <summary>FNV-1a 64 over a line's characters, repeated: pure CPU work, no allocation.</summary>
public static class LineHash
{
    /// <summary>Rounds of hashing per line.</summary>
    public const int Rounds = 32;

    /// <summary>The hash of <paramref name="line"/>.</summary>
    public static ulong Of(string line)
    {
        var hash = 14695981039346656037UL;
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var c in line)
            {
                hash = (hash ^ c) * 1099511628211UL;
            }
        }

        return hash;
    }
}
