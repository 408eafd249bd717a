namespace Pipelines.Benchmarks.Harness;

/// <summary>Runs a keyed pipeline over a fixed run of batches in a fresh context and folds every output into a <see cref="KeyedChecksum"/>.</summary>
public static class KeyedRuns
{
    /// <summary>
    /// Feeds <paramref name="batches"/> one per batch interval into <paramref name="define"/> and returns the
    /// checksum of all its outputs (output t is batch t's).
    /// </summary>
    public static long Checksum<TValue>((int Key, int Value)[][] batches, Func<DStream<(int Key, int Value)>, DStream<(int Key, TValue Value)>> define, Func<TValue, long> value)
    {
        var checksum = new KeyedChecksum();
        var index = 0;
        using (var run = new PipelineRun<(int Key, TValue Value), int>(
            context => define(PipelineInputs.Sequence(context, batches)),
            batch =>
            {
                foreach (var (key, item) in batch.Span)
                {
                    checksum.Add(index, key, value(item));
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

        return index == batches.Length
            ? checksum.Value
            : throw new InvalidOperationException($"The pipeline produced {index} outputs for {batches.Length} batches; a keyed run must output at every batch.");
    }
}
