namespace Pipelines;

/// <summary>What the context tracks for its stateful streams.</summary>
public sealed partial class StreamingContext
{
    private int _statefulStreamCount;

    /// <summary>
    /// The <see cref="Stateful.IStatefulStream.StateKey"/> for a new stateful stream: its creation order among the
    /// context's stateful streams, and its operator. The same definition gives the same keys.
    /// </summary>
    internal string NextStateKey(string operatorName) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Interlocked.Increment(ref _statefulStreamCount)}:{operatorName}");
}
