namespace Pipelines.Benchmarks.Harness;

/// <summary>
/// Keyed results in one comparable form: pairs sorted by key (contenders emit keys in different orders;
/// keyed results compare as multisets).
/// </summary>
public static class Canonical
{
    /// <summary>The pairs sorted by key, ordinal for strings.</summary>
    public static (TKey Key, TValue Value)[] Sorted<TKey, TValue>(IEnumerable<(TKey Key, TValue Value)> pairs)
        where TKey : notnull
    {
        var array = pairs.ToArray();
        Array.Sort(array, static (a, b) => Comparer<TKey>.Default.Compare(a.Key, b.Key) switch
        {
            0 => Comparer<TValue>.Default.Compare(a.Value, b.Value),
            var c => c,
        });
        return array;
    }

    /// <summary>The dictionary's entries sorted by key.</summary>
    public static (TKey Key, TValue Value)[] Sorted<TKey, TValue>(IEnumerable<KeyValuePair<TKey, TValue>> pairs)
        where TKey : notnull =>
        Sorted(pairs.Select(pair => (pair.Key, pair.Value)));
}

/// <summary>Compares arrays element by element.</summary>
public sealed class SequenceComparer<T> : IEqualityComparer<T[]>
{
    /// <summary>The instance.</summary>
    public static SequenceComparer<T> Instance { get; } = new();

    /// <inheritdoc/>
    public bool Equals(T[]? x, T[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

    /// <inheritdoc/>
    public int GetHashCode(T[] obj) => obj.Length;
}
