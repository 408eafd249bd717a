namespace Pipelines.Benchmarks.Harness;

/// <summary>
/// Folds a run of keyed batch outputs into one number, so that every contender must read all of its output and
/// the setup check can compare whole runs cheaply: each (key, value) of batch t adds a term that depends on t,
/// the key and the value, so a missing, extra or wrong pair changes the sum.
/// </summary>
public struct KeyedChecksum
{
    /// <summary>The sum so far.</summary>
    public long Value { get; private set; }

    /// <summary>Adds one output pair of batch <paramref name="batch"/>.</summary>
    public void Add(int batch, int key, long value) =>
        Value = unchecked(Value + (((batch + 1) * 1_000_003L) ^ (key * 7_919L + 1)) * value + (value * value * (key + 3)));
}
