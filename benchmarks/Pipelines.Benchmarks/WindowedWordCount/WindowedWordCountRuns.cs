using Pipelines.Benchmarks.Harness;

namespace Pipelines.Benchmarks.WindowedWordCount;

/// <summary>Runs a W7 Pipelines definition over a fixed run of batches in a fresh context, the way a user's job runs.</summary>
public static class WindowedWordCountRuns
{
    /// <summary>Feeds <paramref name="batches"/> one per batch interval into <paramref name="define"/> and writes every output to <paramref name="sink"/>.</summary>
    public static void Run(string[][] batches, Func<DStream<string>, DStream<(string Key, int Value)>> define, IWindowedCountSink sink)
    {
        var index = 0;
        using (var run = new PipelineRun<(string Key, int Value), int>(
            context => define(PipelineInputs.Sequence(context, batches)),
            batch =>
            {
                foreach (var (word, count) in batch.Span)
                {
                    sink.Add(index, word, count);
                }

                index++;
                return batch.Count;
            }))
        {
            for (var t = 0; t < batches.Length; t++)
            {
                run.Step();
            }
        }

        if (index != batches.Length)
        {
            throw new InvalidOperationException($"The pipeline produced {index} outputs for {batches.Length} batches; a windowed run must output at every batch.");
        }
    }
}
