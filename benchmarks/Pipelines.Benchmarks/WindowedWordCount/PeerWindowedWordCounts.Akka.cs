using Akka.Streams;
using Akka.Streams.Dsl;

namespace Pipelines.Benchmarks.WindowedWordCount;

public static partial class PeerWindowedWordCounts
{
    /// <summary>Akka.Streams: <c>Source.From</c> the lines, <c>Grouped(n)</c> cuts batches, <c>Sliding(window, 1)</c> slides, <c>RunForeach</c> outputs.</summary>
    public static void AkkaStreams(string[][] batches, int window, IWindowedCountSink sink, IMaterializer materializer)
    {
        var linesPerBatch = LinesPerBatch(batches);
        var index = 0;
        var done = Source.From(batches.SelectMany(static batch => batch))
            .Grouped(linesPerBatch)
            .Select(CountWords)
            .Prepend(Source.From(EmptyCounts(window - 1)))
            .Sliding(window, 1)
            .Where(counts => counts.Count() == window)
            .Select(Merge)
            .RunForeach(counts => Emit(index++, counts, sink), materializer);
        done.Wait();
        RequireAll(true, index, batches.Length, "Akka.Streams");
    }
}
