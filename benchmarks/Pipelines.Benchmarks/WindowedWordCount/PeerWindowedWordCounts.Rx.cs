using System.Reactive.Disposables;
using System.Reactive.Linq;

namespace Pipelines.Benchmarks.WindowedWordCount;

public static partial class PeerWindowedWordCounts
{
    /// <summary>System.Reactive: <c>Observable.Create</c> pushes the lines, <c>Buffer(n)</c> cuts batches, <c>Buffer(window, 1)</c> slides.</summary>
    public static void Rx(string[][] batches, int window, IWindowedCountSink sink)
    {
        var linesPerBatch = LinesPerBatch(batches);
        var lines = Observable.Create<string>(observer =>
        {
            foreach (var batch in batches)
            {
                foreach (var line in batch)
                {
                    observer.OnNext(line);
                }
            }

            observer.OnCompleted();
            return Disposable.Empty;
        });
        var index = 0;
        var completed = false;
        var windows = lines
            .Buffer(linesPerBatch)
            .Select(CountWords)
            .StartWith(EmptyCounts(window - 1))
            .Buffer(window, 1)
            .Where(counts => counts.Count == window)
            .Select(Merge);
        using (windows.Subscribe(counts => Emit(index++, counts, sink), () => completed = true))
        {
        }

        RequireAll(completed, index, batches.Length, "System.Reactive");
    }
}
