namespace Pipelines.MachineLearning.Graphs;

/// <summary>
/// The graph a set of edges forms (a GraphX multigraph): vertices numbered 0..n-1 in order of first appearance,
/// edges kept as given (duplicates and self-loops included), with each vertex's out-degree.
/// </summary>
internal sealed class EdgeGraph<TVertex>
    where TVertex : notnull
{
    private EdgeGraph(TVertex[] vertices, int[] sources, int[] targets)
    {
        Vertices = vertices;
        Sources = sources;
        Targets = targets;
    }

    /// <summary>The vertices; index i is vertex number i.</summary>
    public TVertex[] Vertices { get; }

    /// <summary>The source of each edge.</summary>
    public int[] Sources { get; }

    /// <summary>The target of each edge.</summary>
    public int[] Targets { get; }

    public int VertexCount => Vertices.Length;

    public static EdgeGraph<TVertex> From(ReadOnlySpan<(TVertex Source, TVertex Target)> edges)
    {
        var index = new Dictionary<TVertex, int>();
        var vertices = new List<TVertex>();
        var sources = new int[edges.Length];
        var targets = new int[edges.Length];
        for (var i = 0; i < edges.Length; i++)
        {
            sources[i] = Number(edges[i].Source);
            targets[i] = Number(edges[i].Target);
        }

        return new EdgeGraph<TVertex>([.. vertices], sources, targets);

        int Number(TVertex vertex)
        {
            if (vertex is null)
            {
                throw new ArgumentException("An edge has a null vertex; every edge needs two vertices.");
            }

            if (!index.TryGetValue(vertex, out var number))
            {
                number = vertices.Count;
                index.Add(vertex, number);
                vertices.Add(vertex);
            }

            return number;
        }
    }
}
