namespace Pipelines.Benchmarks.Harness;

/// <summary>
/// The setup check of every benchmark: all contenders must return the same result on the same data, so a
/// wrong fast answer cannot win.
/// </summary>
public static class Agreement
{
    /// <summary>
    /// Runs every contender once and throws unless all results equal the first contender's (the baseline).
    /// </summary>
    /// <returns>The agreed result.</returns>
    /// <exception cref="InvalidOperationException">A contender disagreed; the message names it and both results.</exception>
    public static TResult Require<TResult>(string workload, IReadOnlyList<Contender<TResult>> contenders, IEqualityComparer<TResult>? comparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfZero(contenders.Count);
        comparer ??= EqualityComparer<TResult>.Default;
        var expected = contenders[0].Run();
        foreach (var contender in contenders.Skip(1))
        {
            var actual = contender.Run();
            if (!comparer.Equals(expected, actual))
            {
                throw new InvalidOperationException(
                    $"{workload}: contender '{contender.Name}' returned {Describe(actual)} but '{contenders[0].Name}' returned {Describe(expected)}. " +
                    "A benchmark whose contenders disagree measures nothing; fix the contender before timing it.");
            }
        }

        return expected;
    }

    private static string Describe<TResult>(TResult value) => value switch
    {
        System.Collections.ICollection collection => $"{collection.Count} items",
        _ => value?.ToString() ?? "null",
    };
}

/// <summary>One contender of a workload: a name and a function that computes the workload's canonical result.</summary>
public sealed record Contender<TResult>(string Name, Func<TResult> Run);
