using Pipelines.Benchmarks.Harness;

namespace Pipelines.Benchmarks.WindowedWordCount;

/// <summary>
/// Where a W7 contender writes each window's output: every (word, count) with a count above zero, tagged with
/// the batch whose window it is. Every contender writes to the same kind of sink, so all pay the same for it.
/// </summary>
public interface IWindowedCountSink
{
    /// <summary>One output pair of the window that ends at batch <paramref name="batch"/>.</summary>
    void Add(int batch, string word, int count);
}

/// <summary>The benchmark's sink: folds every output pair into a <see cref="KeyedChecksum"/> (keys by the word's hash, stable within a process).</summary>
public sealed class ChecksumSink : IWindowedCountSink
{
    private KeyedChecksum _checksum;

    /// <summary>The checksum of every pair added.</summary>
    public long Value => _checksum.Value;

    /// <summary>How many pairs were added.</summary>
    public long Pairs { get; private set; }

    /// <inheritdoc/>
    public void Add(int batch, string word, int count)
    {
        _checksum.Add(batch, word.GetHashCode(StringComparison.Ordinal), count);
        Pairs++;
    }
}

/// <summary>The tests' sink: keeps every window's whole table, so two contenders can be compared pair by pair.</summary>
public sealed class TableSink : IWindowedCountSink
{
    private readonly List<SortedDictionary<string, int>> _windows = [];

    /// <summary>Each window's table, by batch.</summary>
    public IReadOnlyList<SortedDictionary<string, int>> Windows => _windows;

    /// <inheritdoc/>
    public void Add(int batch, string word, int count)
    {
        while (_windows.Count <= batch)
        {
            _windows.Add(new SortedDictionary<string, int>(StringComparer.Ordinal));
        }

        if (!_windows[batch].TryAdd(word, count))
        {
            throw new InvalidOperationException($"Window {batch} output '{word}' twice.");
        }
    }
}
