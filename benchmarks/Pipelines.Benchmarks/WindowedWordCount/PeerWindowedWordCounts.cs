using System.Runtime.InteropServices;

namespace Pipelines.Benchmarks.WindowedWordCount;

/// <summary>
/// W7 written with each peer library, the way its documentation builds a sliding window: the lines flow through
/// the library one by one, its count-based grouping operator cuts them into batches (<c>Buffer(n)</c>,
/// <c>Chunk(n)</c>, <c>Grouped(n)</c>, <c>BatchBlock</c>), each batch is counted into a dictionary
/// (<c>string.Split</c>, the everyday code), and the library's sliding operator (<c>Buffer(window, 1)</c>,
/// <c>Chunk(window, 1)</c>, <c>Sliding(window, 1)</c>) hands the last <c>window</c> batch counts to a merge.
/// TPL Dataflow has no sliding operator, so its window is a stateful <c>TransformBlock</c> (the pattern its
/// documentation gives for state) that adds the entering batch and subtracts the leaving one.
/// </summary>
/// <remarks>
/// Every contender outputs a window at every batch, the first ones covering fewer batches (Spark's windows):
/// the sliding operators are fed <c>window - 1</c> empty batch counts first so their first full buffer is the
/// window of batch 0.
/// </remarks>
public static partial class PeerWindowedWordCounts
{
    /// <summary>A batch's word counts, with <c>string.Split</c> and a dictionary.</summary>
    internal static Dictionary<string, int> CountWords(IEnumerable<string> lines)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            foreach (var word in line.Split(' '))
            {
                CollectionsMarshal.GetValueRefOrAddDefault(counts, word, out _)++;
            }
        }

        return counts;
    }

    /// <summary>The window's counts: the sum of its batches' counts.</summary>
    internal static Dictionary<string, int> Merge(IEnumerable<Dictionary<string, int>> batchCounts)
    {
        var window = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var counts in batchCounts)
        {
            foreach (var (word, n) in counts)
            {
                CollectionsMarshal.GetValueRefOrAddDefault(window, word, out _) += n;
            }
        }

        return window;
    }

    internal static void Emit(int batch, Dictionary<string, int> counts, IWindowedCountSink sink)
    {
        foreach (var (word, n) in counts)
        {
            sink.Add(batch, word, n);
        }
    }

    internal static Dictionary<string, int>[] EmptyCounts(int count)
    {
        var empty = new Dictionary<string, int>[count];
        for (var i = 0; i < count; i++)
        {
            empty[i] = new Dictionary<string, int>(StringComparer.Ordinal);
        }

        return empty;
    }

    internal static int LinesPerBatch(string[][] batches)
    {
        ArgumentOutOfRangeException.ThrowIfZero(batches.Length);
        var lines = batches[0].Length;
        foreach (var batch in batches)
        {
            if (batch.Length != lines || lines == 0)
            {
                throw new ArgumentException("The peers cut batches by count: every batch must have the same, non-zero number of lines.", nameof(batches));
            }
        }

        return lines;
    }

    internal static void RequireAll(bool completed, int windows, int batches, string library)
    {
        if (!completed || windows != batches)
        {
            throw new InvalidOperationException($"{library} output {windows} windows for {batches} batches (completed: {completed}); it must output one window per batch.");
        }
    }
}
