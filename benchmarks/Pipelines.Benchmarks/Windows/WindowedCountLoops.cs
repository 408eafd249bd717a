using Pipelines.Benchmarks.Harness;
using ZLinq;

namespace Pipelines.Benchmarks.Windows;

/// <summary>
/// W3 by hand and with LINQ: the count per key over the last <c>window</c> batches, output after every batch
/// (slide 1), keys with a zero count left out. Each returns the <see cref="KeyedChecksum"/> of all outputs.
/// </summary>
public static class WindowedCountLoops
{
    /// <summary>Incremental (Spark's inverse reduce): add the entering batch, subtract the leaving one.</summary>
    public static long HandIncremental((int Key, int Value)[][] batches, int window, Dictionary<int, int> counts)
    {
        counts.Clear();
        var checksum = new KeyedChecksum();
        for (var t = 0; t < batches.Length; t++)
        {
            foreach (var (key, value) in batches[t])
            {
                System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, key, out _) += value;
            }

            if (t >= window)
            {
                foreach (var (key, value) in batches[t - window])
                {
                    System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(counts, key) -= value;
                }
            }

            foreach (var (key, count) in counts)
            {
                if (count != 0)
                {
                    checksum.Add(t, key, count);
                }
            }
        }

        return checksum.Value;
    }

    /// <summary>Recompute: count every batch in the window again at each output.</summary>
    public static long HandRecompute((int Key, int Value)[][] batches, int window, Dictionary<int, int> counts)
    {
        var checksum = new KeyedChecksum();
        for (var t = 0; t < batches.Length; t++)
        {
            counts.Clear();
            for (var b = Math.Max(0, t - window + 1); b <= t; b++)
            {
                foreach (var (key, value) in batches[b])
                {
                    System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, key, out _) += value;
                }
            }

            foreach (var (key, count) in counts)
            {
                checksum.Add(t, key, count);
            }
        }

        return checksum.Value;
    }

    /// <summary>System.Linq, recomputing each window.</summary>
    public static long Linq((int Key, int Value)[][] batches, int window)
    {
        var checksum = new KeyedChecksum();
        for (var t = 0; t < batches.Length; t++)
        {
            var from = Math.Max(0, t - window + 1);
            var counts = batches.Skip(from).Take(t - from + 1).SelectMany(batch => batch)
                .GroupBy(pair => pair.Key, (key, pairs) => (Key: key, Count: pairs.Sum(pair => pair.Value)));
            foreach (var (key, count) in counts)
            {
                checksum.Add(t, key, count);
            }
        }

        return checksum.Value;
    }

    /// <summary>ZLinq, recomputing each window.</summary>
    public static long ZLinq((int Key, int Value)[][] batches, int window)
    {
        var checksum = new KeyedChecksum();
        for (var t = 0; t < batches.Length; t++)
        {
            var from = Math.Max(0, t - window + 1);
            var counts = batches.AsValueEnumerable().Skip(from).Take(t - from + 1).SelectMany(batch => batch)
                .GroupBy(pair => pair.Key, (key, pairs) => (Key: key, Count: pairs.Sum(pair => pair.Value)));
            foreach (var (key, count) in counts)
            {
                checksum.Add(t, key, count);
            }
        }

        return checksum.Value;
    }
}
