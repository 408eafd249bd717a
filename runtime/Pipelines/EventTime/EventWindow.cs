namespace Pipelines;

/// <summary>The result of an event-time window (or session) over all records: its bounds, its value, and whether it is final.</summary>
/// <typeparam name="TValue">The type of the window's value.</typeparam>
/// <param name="Start">The window's start (inclusive), an event time.</param>
/// <param name="End">The window's end (exclusive), an event time.</param>
/// <param name="Value">The window's aggregate.</param>
/// <param name="IsFinal">
/// <c>true</c> when the watermark passed <paramref name="End"/>: the window is complete and emitted for the last time;
/// <c>false</c> for an early result (<see cref="EventWindowOptions.EmitEarlyResults"/>), which a later batch updates.
/// </param>
public readonly record struct EventWindow<TValue>(DateTimeOffset Start, DateTimeOffset End, TValue Value, bool IsFinal);

/// <summary>The result of an event-time window (or session) for one key: its bounds, the key, its value, and whether it is final.</summary>
/// <typeparam name="TKey">The type of the keys.</typeparam>
/// <typeparam name="TValue">The type of the window's value.</typeparam>
/// <param name="Start">The window's start (inclusive), an event time.</param>
/// <param name="End">The window's end (exclusive), an event time.</param>
/// <param name="Key">The key.</param>
/// <param name="Value">The key's aggregate in the window.</param>
/// <param name="IsFinal">
/// <c>true</c> when the watermark passed <paramref name="End"/>: the window is complete and emitted for the last time;
/// <c>false</c> for an early result (<see cref="EventWindowOptions.EmitEarlyResults"/>), which a later batch updates.
/// </param>
public readonly record struct EventWindow<TKey, TValue>(DateTimeOffset Start, DateTimeOffset End, TKey Key, TValue Value, bool IsFinal);

/// <summary>How an event-time window operator reports its results.</summary>
public sealed record EventWindowOptions
{
    /// <summary>The default: each window emitted once, when the watermark passes its end (Spark's append mode).</summary>
    public static EventWindowOptions Default { get; } = new();

    /// <summary>
    /// Also emit, after each batch, every window that batch changed and that is not complete yet, with
    /// <see cref="EventWindow{TValue}.IsFinal"/> <c>false</c> (Spark's update mode; Flink's early-firing trigger).
    /// The final result still comes once, when the watermark passes the window's end.
    /// </summary>
    public bool EmitEarlyResults { get; init; }
}
