// A user's first program with the Pipelines package (the README's word count), run on a manual clock so its
// output is exact. .ci/package-consumer.sh builds it from the packed package and checks what it prints.
using Pipelines;
using Pipelines.Testing;

string[][] input = [["to be or", "not to be"], ["be quick"]];

var compiled = StreamingTest.Run(input, WordCount.Compile, numBatches: 2);
var interpreted = StreamingTest.Run(input, WordCount.Define, numBatches: 2);
var fallback = StreamingTest.Run(input, WordCount.CompileTrimmed, numBatches: 2);

for (var i = 0; i < compiled.Count; i++)
{
    Console.WriteLine($"batch {i}: " + string.Join(" ", compiled[i].OrderBy(p => p.Word, StringComparer.Ordinal).Select(p => $"{p.Word}={p.Count}")));
}

Console.WriteLine($"interpreted equals compiled: {Same(compiled, interpreted)}");
Console.WriteLine($"fallback lines: {fallback.Sum(b => b.Count)}");
Console.WriteLine($"fingerprint: {(WordCount.DefineFingerprint.Length > 0 ? "present" : "missing")}");

static bool Same(IReadOnlyList<IReadOnlyList<(string Word, int Count)>> a, IReadOnlyList<IReadOnlyList<(string Word, int Count)>> b) =>
    a.Count == b.Count && a.Zip(b).All(p => p.First.Order().SequenceEqual(p.Second.Order()));

[StreamingPipeline]
public static partial class WordCount
{
    public static DStream<(string Word, int Count)> Define(DStream<string> lines) =>
        lines.FlatMap(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
             .Map(word => (word, 1))
             .ReduceByKey((a, b) => a + b);

    // A delegate held in a field is not compiled: the generator falls back to this definition and PIPE101 says so
    // (expected once).
    public static DStream<string> DefineTrimmed(DStream<string> lines) => lines.Map(Trim);

    private static readonly Func<string, string> Trim = line => line.Trim();
}
