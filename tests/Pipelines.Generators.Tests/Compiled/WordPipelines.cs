namespace Pipelines.Generators.Tests.Compiled;

/// <summary>Word counts in the shapes the span special case covers, and one it does not.</summary>
[StreamingPipeline]
public static partial class WordPipelines
{
    public static DStream<(string Word, int Count)> Define(DStream<string> lines) =>
        lines.FlatMap(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
             .Map(word => (word, 1))
             .ReduceByKey((a, b) => a + b);

    public static DStream<(string Word, int Count)> DefineKeepEmpty(DStream<string> lines) =>
        lines.FlatMap(line => line.Split(' '))
             .Map(word => (word, 1))
             .ReduceByKey((a, b) => a + b);

    public static DStream<(string Word, long Count)> DefineTrimmedByString(DStream<string> lines) =>
        lines.FlatMap(line => line.Split(", ", StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
             .Map(word => (word, 2L))
             .ReduceByKey((a, b) => a + b);

    public static DStream<(string Value, long Count)> DefineCountByValue(DStream<string> lines) =>
        lines.FlatMap(line => line.Split(',', StringSplitOptions.TrimEntries))
             .CountByValue();

    public static DStream<(string Word, int Length)> DefineLongest(DStream<string> lines) =>
        lines.FlatMap(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
             .Map(word => (word.ToUpperInvariant(), word.Length))
             .ReduceByKey((a, b) => Math.Max(a, b));
}
