namespace Pipelines.Benchmarks.Join;

/// <summary>
/// The hand-written hash join: the right side goes into a chained hash table (key -> first row, row -> next
/// row with the same key) whose dictionary and arrays are kept across batches, then the left side probes it.
/// </summary>
public sealed class HashJoiner
{
    private readonly Dictionary<int, int> _firstRow = [];
    private int[] _nextRow = [];

    /// <summary>Joins <paramref name="left"/> with <paramref name="right"/> on the key; returns the sum of left × right over all matches.</summary>
    public long JoinSum(ReadOnlySpan<(int Key, int Value)> left, ReadOnlySpan<(int Key, int Value)> right)
    {
        _firstRow.Clear();
        if (_nextRow.Length < right.Length)
        {
            _nextRow = new int[right.Length];
        }

        for (var row = 0; row < right.Length; row++)
        {
            ref var first = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_firstRow, right[row].Key, out var exists);
            _nextRow[row] = exists ? first : -1;
            first = row;
        }

        long sum = 0;
        foreach (var (key, value) in left)
        {
            if (_firstRow.TryGetValue(key, out var row))
            {
                for (; row >= 0; row = _nextRow[row])
                {
                    sum += (long)value * right[row].Value;
                }
            }
        }

        return sum;
    }
}
