namespace Pipelines.Tests.Windows;

/// <summary>Keyed outputs compare as multisets: these put each batch in a canonical order.</summary>
internal static class Multisets
{
    public static T[] Sorted<T>(IEnumerable<T> records) => records.OrderBy(static r => r, Comparer<T>.Default).ToArray();

    public static T[][] SortedBatches<T>(IEnumerable<IEnumerable<T>> batches) => batches.Select(Sorted).ToArray();

    public static (TKey, string)[] Groups<TKey>(IEnumerable<(TKey Key, IReadOnlyList<int> Values)> groups) =>
        Sorted(groups.Select(static g => (g.Key, string.Join(",", g.Values))));

    public static TimeSpan Seconds(int seconds) => TimeSpan.FromSeconds(seconds);
}
