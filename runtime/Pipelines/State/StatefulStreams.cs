namespace Pipelines.Stateful;

/// <summary>Finds the stateful streams of a context (for checkpoints).</summary>
internal static class StatefulStreams
{
    /// <summary>Every <see cref="IStatefulStream"/> reachable from the context's outputs, in creation order.</summary>
    public static IReadOnlyList<IStatefulStream> Find(StreamingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var seen = new HashSet<DStream>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<DStream>();
        foreach (var output in context.Outputs)
        {
            pending.Push(output.Stream);
        }

        var found = new List<(int Ordinal, IStatefulStream Stream)>();
        while (pending.Count > 0)
        {
            var stream = pending.Pop();
            if (!seen.Add(stream))
            {
                continue;
            }

            if (stream is IStatefulStream stateful)
            {
                found.Add((Ordinal(stateful.StateKey), stateful));
            }

            foreach (var dependency in stream.Dependencies)
            {
                pending.Push(dependency);
            }
        }

        found.Sort(static (a, b) => a.Ordinal.CompareTo(b.Ordinal));
        return found.ConvertAll(static f => f.Stream);
    }

    private static int Ordinal(string stateKey) =>
        int.Parse(stateKey.AsSpan(0, stateKey.IndexOf(':', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture);
}
