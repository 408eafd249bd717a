namespace Pipelines.MachineLearning.Graphs;

/// <summary>GraphX's graph algorithms on an <see cref="EdgeGraph{TVertex}"/>, written over dense vertex numbers.</summary>
internal static class GraphAlgorithms
{
    /// <summary>GraphX's <c>degrees</c>: each edge counts once for its source and once for its target (a self-loop twice).</summary>
    public static int[] Degrees<TVertex>(EdgeGraph<TVertex> graph)
        where TVertex : notnull
    {
        var degrees = new int[graph.VertexCount];
        for (var e = 0; e < graph.Sources.Length; e++)
        {
            degrees[graph.Sources[e]]++;
            degrees[graph.Targets[e]]++;
        }

        return degrees;
    }

    /// <summary>
    /// GraphX's <c>connectedComponents</c> (edges taken as undirected): each vertex is labeled with the smallest
    /// vertex of its component, by <paramref name="comparer"/>. Union-find with path halving and union by size.
    /// </summary>
    public static int[] ConnectedComponents<TVertex>(EdgeGraph<TVertex> graph, IComparer<TVertex> comparer)
        where TVertex : notnull
    {
        var n = graph.VertexCount;
        var parent = new int[n];
        var size = new int[n];
        var smallest = new int[n];
        for (var v = 0; v < n; v++)
        {
            parent[v] = v;
            size[v] = 1;
            smallest[v] = v;
        }

        for (var e = 0; e < graph.Sources.Length; e++)
        {
            UnionFind.Union(parent, size, smallest, graph.Sources[e], graph.Targets[e], graph.Vertices, comparer);
        }

        var labels = new int[n];
        for (var v = 0; v < n; v++)
        {
            labels[v] = smallest[UnionFind.Find(parent, v)];
        }

        return labels;
    }

    /// <summary>
    /// GraphX's static PageRank (<c>staticPageRank</c>, Spark 2.3+): every rank starts at 1; each of
    /// <paramref name="iterations"/> rounds sets <c>rank(v) = reset + (1 - reset) · Σ rank(u) / outDegree(u)</c>
    /// over the edges u → v; finally the ranks are scaled to sum to the number of vertices (SPARK-18847).
    /// </summary>
    public static double[] StaticPageRank<TVertex>(EdgeGraph<TVertex> graph, int iterations, double resetProbability)
        where TVertex : notnull
    {
        var n = graph.VertexCount;
        var outDegree = OutDegrees(graph);
        var rank = new double[n];
        var sums = new double[n];
        Array.Fill(rank, 1.0);
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            Array.Clear(sums);
            for (var e = 0; e < graph.Sources.Length; e++)
            {
                var source = graph.Sources[e];
                sums[graph.Targets[e]] += rank[source] / outDegree[source];
            }

            for (var v = 0; v < n; v++)
            {
                rank[v] = resetProbability + ((1.0 - resetProbability) * sums[v]);
            }
        }

        return NormalizeRankSum(rank);
    }

    /// <summary>
    /// GraphX's dynamic PageRank (<c>pageRank(tol)</c>, a Pregel program): every vertex first receives
    /// <c>reset / (1 - reset)</c>; then, while messages flow, a vertex that changed in the last round by more than
    /// <paramref name="tolerance"/> sends <c>delta / outDegree</c> along each out-edge, and a vertex adds
    /// <c>(1 - reset) · Σ messages</c> to its rank; finally the ranks are scaled to sum to the number of vertices.
    /// </summary>
    public static double[] DynamicPageRank<TVertex>(EdgeGraph<TVertex> graph, double tolerance, double resetProbability)
        where TVertex : notnull
    {
        var n = graph.VertexCount;
        var outDegree = OutDegrees(graph);
        var rank = new double[n];
        var delta = new double[n];
        var active = new bool[n];
        var messages = new double[n];
        var received = new bool[n];

        // Superstep 0: every vertex gets the initial message.
        var initialMessage = resetProbability / (1.0 - resetProbability);
        for (var v = 0; v < n; v++)
        {
            rank[v] = (1.0 - resetProbability) * initialMessage;
            delta[v] = rank[v];
            active[v] = true;
        }

        while (true)
        {
            Array.Clear(messages);
            Array.Clear(received);
            var any = false;
            for (var e = 0; e < graph.Sources.Length; e++)
            {
                var source = graph.Sources[e];
                if (active[source] && delta[source] > tolerance)
                {
                    var target = graph.Targets[e];
                    messages[target] += delta[source] / outDegree[source];
                    received[target] = true;
                    any = true;
                }
            }

            if (!any)
            {
                break;
            }

            for (var v = 0; v < n; v++)
            {
                active[v] = received[v];
                if (received[v])
                {
                    var updated = rank[v] + ((1.0 - resetProbability) * messages[v]);
                    delta[v] = updated - rank[v];
                    rank[v] = updated;
                }
            }
        }

        return NormalizeRankSum(rank);
    }

    /// <summary>
    /// GraphX's <c>TriangleCount</c>: self-loops are dropped and edges taken as undirected and distinct; each
    /// vertex gets the number of triangles it belongs to.
    /// </summary>
    public static int[] TriangleCounts<TVertex>(EdgeGraph<TVertex> graph)
        where TVertex : notnull
    {
        var n = graph.VertexCount;
        var neighbors = new HashSet<int>[n];
        for (var v = 0; v < n; v++)
        {
            neighbors[v] = [];
        }

        for (var e = 0; e < graph.Sources.Length; e++)
        {
            var (a, b) = (graph.Sources[e], graph.Targets[e]);
            if (a != b)
            {
                neighbors[a].Add(b);
                neighbors[b].Add(a);
            }
        }

        var sorted = new int[n][];
        for (var v = 0; v < n; v++)
        {
            sorted[v] = [.. neighbors[v]];
            Array.Sort(sorted[v]);
        }

        // For each undirected edge (u < v), every common neighbor closes a triangle; each triangle is seen twice
        // from each of its vertices.
        var doubled = new long[n];
        for (var u = 0; u < n; u++)
        {
            foreach (var v in sorted[u])
            {
                if (v <= u)
                {
                    continue;
                }

                var common = CountCommon(sorted[u], sorted[v]);
                doubled[u] += common;
                doubled[v] += common;
            }
        }

        var counts = new int[n];
        for (var v = 0; v < n; v++)
        {
            counts[v] = checked((int)(doubled[v] / 2));
        }

        return counts;
    }

    private static int CountCommon(int[] a, int[] b)
    {
        int i = 0, j = 0, common = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] < b[j])
            {
                i++;
            }
            else if (a[i] > b[j])
            {
                j++;
            }
            else
            {
                common++;
                i++;
                j++;
            }
        }

        return common;
    }

    private static int[] OutDegrees<TVertex>(EdgeGraph<TVertex> graph)
        where TVertex : notnull
    {
        var outDegree = new int[graph.VertexCount];
        foreach (var source in graph.Sources)
        {
            outDegree[source]++;
        }

        return outDegree;
    }

    /// <summary>SPARK-18847: scales the ranks so they sum to the number of vertices (graphs with sinks lose rank otherwise).</summary>
    private static double[] NormalizeRankSum(double[] rank)
    {
        var sum = 0.0;
        foreach (var r in rank)
        {
            sum += r;
        }

        if (sum > 0)
        {
            var correction = rank.Length / sum;
            for (var v = 0; v < rank.Length; v++)
            {
                rank[v] *= correction;
            }
        }

        return rank;
    }
}
