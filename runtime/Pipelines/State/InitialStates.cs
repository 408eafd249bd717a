namespace Pipelines.Stateful;

/// <summary>Checks and copies an initial state given at definition time.</summary>
internal static class InitialStates
{
    public static (TKey Key, TState State)[] Materialize<TKey, TState>(IEnumerable<(TKey Key, TState State)> initialState, string parameterName)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(initialState, parameterName);
        var entries = initialState.ToArray();
        var keys = new HashSet<TKey>(entries.Length);
        foreach (var (key, _) in entries)
        {
            if (key is null)
            {
                throw new ArgumentException("The initial state has a null key; keys cannot be null.", parameterName);
            }

            if (!keys.Add(key))
            {
                throw new ArgumentException($"The initial state has the key '{key}' more than once; give each key one state.", parameterName);
            }
        }

        return entries;
    }
}
