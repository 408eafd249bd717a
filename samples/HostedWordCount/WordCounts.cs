using Pipelines;

namespace HostedWordCount;

/// <summary>The per-batch word count, compiled by the generator.</summary>
[StreamingPipeline]
public static partial class WordCounts
{
    /// <summary>Counts the words of each batch of lines <c>"&lt;id&gt; word word ..."</c> (the id is not a word).</summary>
    public static DStream<(string Word, long Count)> Define(DStream<string> lines) =>
        lines.FlatMap(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
             .Map(word => (word, 1L))
             .ReduceByKey((a, b) => a + b);
}
