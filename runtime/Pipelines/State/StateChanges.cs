namespace Pipelines.Stateful;

/// <summary>The commit step of a keyed-state batch: changes gathered while user code ran, applied after it.</summary>
internal static class StateChanges
{
    /// <summary>Writes each changed entry into <paramref name="store"/>, removing the keys whose change is <c>null</c>. Runs no user code.</summary>
    public static void Apply<TKey, TEntry>(Dictionary<TKey, TEntry?> changes, Dictionary<TKey, TEntry> store)
        where TKey : notnull
        where TEntry : struct
    {
        foreach (var (key, change) in changes)
        {
            if (change is { } entry)
            {
                store[key] = entry;
            }
            else
            {
                store.Remove(key);
            }
        }
    }

    /// <summary>Writes each changed entry into <paramref name="table"/> in place, removing the keys whose change is <c>null</c>. Runs no user code.</summary>
    public static void Apply<TKey, TState>(Dictionary<TKey, StateEntry<TState>?> changes, KeyedStateTable<TKey, TState> table)
        where TKey : notnull
    {
        foreach (var (key, change) in changes)
        {
            if (change is { } entry)
            {
                table.Set(key, entry.State, entry.LastUpdated);
            }
            else
            {
                table.Remove(key);
            }
        }
    }
}
