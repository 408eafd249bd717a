using System.Runtime.InteropServices;
using System.Threading.Tasks.Dataflow;

namespace Pipelines.Benchmarks.WindowedWordCount;

public static partial class PeerWindowedWordCounts
{
    /// <summary>
    /// TPL Dataflow: lines posted to a <c>BatchBlock</c>, a <c>TransformBlock</c> counts each batch, a stateful
    /// <c>TransformBlock</c> keeps the window incrementally and hands a snapshot to the output <c>ActionBlock</c>.
    /// </summary>
    public static void Dataflow(string[][] batches, int window, IWindowedCountSink sink)
    {
        var linesPerBatch = LinesPerBatch(batches);
        var index = 0;
        var link = new DataflowLinkOptions { PropagateCompletion = true };
        var cut = new BatchBlock<string>(linesPerBatch);
        var count = new TransformBlock<string[], Dictionary<string, int>>(CountWords);
        var running = new Dictionary<string, int>(StringComparer.Ordinal);
        var kept = new Queue<Dictionary<string, int>>();
        var slide = new TransformBlock<Dictionary<string, int>, KeyValuePair<string, int>[]>(entering =>
        {
            foreach (var (word, n) in entering)
            {
                CollectionsMarshal.GetValueRefOrAddDefault(running, word, out _) += n;
            }

            kept.Enqueue(entering);
            if (kept.Count > window)
            {
                foreach (var (word, n) in kept.Dequeue())
                {
                    ref var total = ref CollectionsMarshal.GetValueRefOrNullRef(running, word);
                    total -= n;
                    if (total == 0)
                    {
                        running.Remove(word);
                    }
                }
            }

            return running.ToArray();
        });
        var output = new ActionBlock<KeyValuePair<string, int>[]>(counts =>
        {
            var batch = index++;
            foreach (var (word, n) in counts)
            {
                sink.Add(batch, word, n);
            }
        });
        cut.LinkTo(count, link);
        count.LinkTo(slide, link);
        slide.LinkTo(output, link);
        foreach (var batch in batches)
        {
            foreach (var line in batch)
            {
                cut.Post(line);
            }
        }

        cut.Complete();
        output.Completion.Wait();
        RequireAll(true, index, batches.Length, "TPL Dataflow");
    }
}
