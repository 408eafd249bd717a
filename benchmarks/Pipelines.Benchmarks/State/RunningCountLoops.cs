using Pipelines.Benchmarks.Harness;
using ZLinq;

namespace Pipelines.Benchmarks.State;

/// <summary>
/// W5 by hand and with LINQ: a running count per key over a run of batches; after every batch the whole state
/// is the output (as Spark's <c>updateStateByKey</c> emits every key). Each returns the <see cref="KeyedChecksum"/>
/// of all outputs.
/// </summary>
public static class RunningCountLoops
{
    /// <summary>A dictionary updated in place.</summary>
    public static long Hand((int Key, int Value)[][] batches, Dictionary<int, long> state)
    {
        state.Clear();
        var checksum = new KeyedChecksum();
        for (var t = 0; t < batches.Length; t++)
        {
            foreach (var (key, value) in batches[t])
            {
                System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(state, key, out _) += value;
            }

            foreach (var (key, count) in state)
            {
                checksum.Add(t, key, count);
            }
        }

        return checksum.Value;
    }

    /// <summary>System.Linq, functional style: the new state is the old state merged with the batch's counts.</summary>
    public static long Linq((int Key, int Value)[][] batches)
    {
        var checksum = new KeyedChecksum();
        var state = new Dictionary<int, long>();
        for (var t = 0; t < batches.Length; t++)
        {
            state = state.Select(entry => (entry.Key, Value: entry.Value))
                .Concat(batches[t].Select(pair => (pair.Key, Value: (long)pair.Value)))
                .GroupBy(pair => pair.Key, (key, pairs) => (Key: key, Count: pairs.Sum(pair => pair.Value)))
                .ToDictionary(pair => pair.Key, pair => pair.Count);
            foreach (var (key, count) in state)
            {
                checksum.Add(t, key, count);
            }
        }

        return checksum.Value;
    }

    /// <summary>ZLinq, the same functional merge.</summary>
    public static long ZLinq((int Key, int Value)[][] batches)
    {
        var checksum = new KeyedChecksum();
        var state = new Dictionary<int, long>();
        for (var t = 0; t < batches.Length; t++)
        {
            state = state.AsValueEnumerable().Select(entry => (entry.Key, Value: entry.Value))
                .Concat(batches[t].AsValueEnumerable().Select(pair => (pair.Key, Value: (long)pair.Value)))
                .GroupBy(pair => pair.Key, (key, pairs) => (Key: key, Count: pairs.Sum(pair => pair.Value)))
                .ToDictionary(pair => pair.Key, pair => pair.Count);
            foreach (var (key, count) in state)
            {
                checksum.Add(t, key, count);
            }
        }

        return checksum.Value;
    }
}
