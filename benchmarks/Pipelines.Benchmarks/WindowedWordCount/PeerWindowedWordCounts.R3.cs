using R3;

namespace Pipelines.Benchmarks.WindowedWordCount;

public static partial class PeerWindowedWordCounts
{
    /// <summary>R3: <c>ToObservable</c> pushes the lines, <c>Chunk(n)</c> cuts batches, <c>Chunk(window, 1)</c> slides.</summary>
    public static void R3Observable(string[][] batches, int window, IWindowedCountSink sink)
    {
        var linesPerBatch = LinesPerBatch(batches);
        var index = 0;
        var completed = false;
        var windows = batches.SelectMany(static batch => batch).ToObservable()
            .Chunk(linesPerBatch)
            .Select(CountWords)
            .Prepend(EmptyCounts(window - 1))
            .Chunk(window, 1)
            .Where(counts => counts.Length == window)
            .Select(Merge);
        using (windows.Subscribe(counts => Emit(index++, counts, sink), _ => completed = true))
        {
        }

        RequireAll(completed, index, batches.Length, "R3");
    }
}
