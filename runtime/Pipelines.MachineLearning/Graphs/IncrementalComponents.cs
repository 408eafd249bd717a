using System.Text.Json.Serialization;

namespace Pipelines.MachineLearning.Graphs;

/// <summary>
/// The connected components of every edge seen so far, as a union-find forest: the state of
/// <see cref="GraphDStreamExtensions.ConnectedComponents{TVertex}"/>. A batch with edges makes a new state (the
/// arrays are copied once, then its edges are unioned in); a batch without edges keeps the same state. Saved in
/// checkpoints as its four arrays.
/// </summary>
internal sealed class IncrementalComponents<TVertex>
    where TVertex : notnull
{
    private Dictionary<TVertex, int>? _index;

    /// <summary>Creates a state from its arrays (as read back from a checkpoint).</summary>
    [JsonConstructor]
    public IncrementalComponents(TVertex[] vertices, int[] parents, int[] sizes, int[] smallest)
    {
        Vertices = vertices;
        Parents = parents;
        Sizes = sizes;
        Smallest = smallest;
    }

    public static IncrementalComponents<TVertex> Empty { get; } = new([], [], [], []);

    /// <summary>Every vertex seen, in order of first appearance.</summary>
    public TVertex[] Vertices { get; }

    /// <summary>Each vertex's parent in the forest.</summary>
    public int[] Parents { get; }

    /// <summary>At a root: the number of vertices in its set.</summary>
    public int[] Sizes { get; }

    /// <summary>At a root: the vertex number of the smallest vertex of its set.</summary>
    public int[] Smallest { get; }

    /// <summary>This state with <paramref name="edges"/> unioned in.</summary>
    public IncrementalComponents<TVertex> Add(IReadOnlyList<(TVertex Source, TVertex Target)> edges, IComparer<TVertex> comparer)
    {
        if (edges.Count == 0)
        {
            return this;
        }

        // Number the new vertices, then copy the forest once and union the batch's edges into the copy.
        var index = new Dictionary<TVertex, int>(Index);
        var added = new List<TVertex>();
        var pairs = new (int A, int B)[edges.Count];
        for (var e = 0; e < edges.Count; e++)
        {
            pairs[e] = (Number(edges[e].Source), Number(edges[e].Target));
        }

        var count = Vertices.Length + added.Count;
        var vertices = new TVertex[count];
        var parents = new int[count];
        var sizes = new int[count];
        var smallest = new int[count];
        Vertices.CopyTo(vertices, 0);
        added.CopyTo(vertices, Vertices.Length);
        Parents.CopyTo(parents, 0);
        Sizes.CopyTo(sizes, 0);
        Smallest.CopyTo(smallest, 0);
        for (var v = Vertices.Length; v < count; v++)
        {
            parents[v] = v;
            sizes[v] = 1;
            smallest[v] = v;
        }

        foreach (var (a, b) in pairs)
        {
            UnionFind.Union(parents, sizes, smallest, a, b, vertices, comparer);
        }

        return new IncrementalComponents<TVertex>(vertices, parents, sizes, smallest) { _index = index };

        int Number(TVertex vertex)
        {
            if (vertex is null)
            {
                throw new ArgumentException("An edge has a null vertex; every edge needs two vertices.");
            }

            if (!index.TryGetValue(vertex, out var number))
            {
                number = Vertices.Length + added.Count;
                index.Add(vertex, number);
                added.Add(vertex);
            }

            return number;
        }
    }

    /// <summary>Every vertex with the smallest vertex of its component.</summary>
    public (TVertex Vertex, TVertex Component)[] Labels()
    {
        var parents = (int[])Parents.Clone();
        var labels = new (TVertex, TVertex)[Vertices.Length];
        for (var v = 0; v < labels.Length; v++)
        {
            labels[v] = (Vertices[v], Vertices[Smallest[UnionFind.Find(parents, v)]]);
        }

        return labels;
    }

    private Dictionary<TVertex, int> Index
    {
        get
        {
            if (_index is null)
            {
                var index = new Dictionary<TVertex, int>(Vertices.Length);
                for (var v = 0; v < Vertices.Length; v++)
                {
                    index.Add(Vertices[v], v);
                }

                _index = index;
            }

            return _index;
        }
    }
}
