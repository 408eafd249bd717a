using System.Collections;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Pipelines.Generators.Tests.Support;

/// <summary>Canonical text of records (tuples, lists and optionals expanded), to compare outputs structurally.</summary>
internal static class Records
{
    public static string Canon(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        ITuple tuple => "(" + string.Join(", ", Enumerable.Range(0, tuple.Length).Select(i => Canon(tuple[i]))) + ")",
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Canon)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>Each batch's records in order.</summary>
    public static List<List<string>> Sequences<T>(IReadOnlyList<IReadOnlyList<T>> batches) =>
        batches.Select(b => b.Select(r => Canon(r)).ToList()).ToList();

    /// <summary>Each batch's records as a sorted multiset.</summary>
    public static List<List<string>> Multisets<T>(IReadOnlyList<IReadOnlyList<T>> batches) =>
        batches.Select(b => b.Select(r => Canon(r)).Order(StringComparer.Ordinal).ToList()).ToList();
}
