namespace Pipelines;

/// <summary>
/// Every stream the output operations depend on, each once, dependencies before dependents (the order a
/// depth-first walk from the outputs, in registration order, finishes them). The context's whole-graph steps
/// (initialize, validate, remember, forget old batches) run over this list, so they cost time linear in the size
/// of the graph, whatever its depth or sharing, and never recurse (a chain of 100,000 operators is fine).
/// </summary>
internal sealed class StreamGraph
{
    private readonly DStream[] _streams;
    private readonly HashSet<DStream> _outputStreams;

    private StreamGraph(DStream[] streams, HashSet<DStream> outputStreams)
    {
        _streams = streams;
        _outputStreams = outputStreams;
    }

    /// <summary>The streams, dependencies before dependents.</summary>
    public IReadOnlyList<DStream> Streams => _streams;

    /// <summary>Walks the graph from the outputs' streams without recursion.</summary>
    public static StreamGraph Build(IEnumerable<OutputOperation> outputs) => Build(outputs.Select(static output => (DStream)output.Stream));

    /// <summary>Walks the graph from <paramref name="roots"/> without recursion.</summary>
    public static StreamGraph Build(IEnumerable<DStream> roots)
    {
        var order = new List<DStream>();
        var seen = new HashSet<DStream>(ReferenceEqualityComparer.Instance);
        var rootSet = new HashSet<DStream>(ReferenceEqualityComparer.Instance);
        var path = new Stack<(DStream Stream, int Next)>();
        foreach (var root in roots)
        {
            rootSet.Add(root);
            if (!seen.Add(root))
            {
                continue;
            }

            path.Push((root, 0));
            while (path.Count > 0)
            {
                var (stream, next) = path.Pop();
                var dependencies = stream.Dependencies;
                if (next < dependencies.Count)
                {
                    path.Push((stream, next + 1));
                    var dependency = dependencies[next];
                    if (seen.Add(dependency))
                    {
                        path.Push((dependency, 0));
                    }
                }
                else
                {
                    order.Add(stream);
                }
            }
        }

        return new StreamGraph([.. order], rootSet);
    }

    /// <summary>Sets every stream's zero time.</summary>
    public void Initialize(BatchTime zeroTime)
    {
        foreach (var stream in _streams)
        {
            stream.Initialize(zeroTime);
        }
    }

    /// <summary>Checks every stream's settings, dependencies first (so the error is about the first bad stream).</summary>
    public void Validate()
    {
        foreach (var stream in _streams)
        {
            stream.Validate();
        }
    }

    /// <summary>
    /// Makes the outputs' streams remember <paramref name="duration"/>, and every stream remember what its
    /// dependents need (<see cref="DStream.ParentRememberDuration"/>): dependents are settled before their
    /// dependencies, so one pass suffices.
    /// </summary>
    public void Remember(TimeSpan duration)
    {
        for (var i = _streams.Length - 1; i >= 0; i--)
        {
            var stream = _streams[i];
            if (_outputStreams.Contains(stream))
            {
                stream.RaiseRememberDuration(duration);
            }

            var parents = stream.ParentRememberDuration;
            foreach (var dependency in stream.Dependencies)
            {
                dependency.RaiseRememberDuration(parents);
            }
        }
    }

    /// <summary>Forgets, in every stream, the batches older than <paramref name="time"/> minus its remember duration.</summary>
    public void ClearMetadata(BatchTime time)
    {
        for (var i = _streams.Length - 1; i >= 0; i--)
        {
            _streams[i].ClearMetadata(time);
        }
    }
}
