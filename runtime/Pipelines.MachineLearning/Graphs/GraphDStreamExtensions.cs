using Pipelines.MachineLearning.State;

namespace Pipelines.MachineLearning.Graphs;

/// <summary>
/// GraphX's algorithms on streams of edges (<c>(source, target)</c> pairs): over each window of edges, or, for
/// <see cref="ConnectedComponents{TVertex}"/>, over every edge seen so far.
/// </summary>
/// <remarks>
/// The graph of a window is GraphX's multigraph of its edges: duplicate edges and self-loops count (in degrees
/// and PageRank), its vertices are those the edges touch, and results list each vertex once, in order of first
/// appearance in the window. Window and slide are multiples of the stream's slide, as for <c>Window</c>.
/// </remarks>
public static class GraphDStreamExtensions
{
    /// <summary>
    /// Every <paramref name="slideDuration"/>, each vertex of the last <paramref name="windowDuration"/>'s edges
    /// with its degree (GraphX's <c>degrees</c>: in-degree plus out-degree; a self-loop counts twice).
    /// </summary>
    public static DStream<(TVertex Vertex, int Degree)> DegreesByWindow<TVertex>(
        this DStream<(TVertex Source, TVertex Target)> edges, TimeSpan windowDuration, TimeSpan slideDuration)
        where TVertex : notnull =>
        ByWindow(edges, windowDuration, slideDuration, static graph => Zip(graph, GraphAlgorithms.Degrees(graph)));

    /// <summary>
    /// Every <paramref name="slideDuration"/>, each vertex of the last <paramref name="windowDuration"/>'s edges
    /// with its connected component (GraphX's <c>connectedComponents</c>: edges taken as undirected, a component
    /// named by its smallest vertex).
    /// </summary>
    /// <example>
    /// <code>
    /// follows.ConnectedComponentsByWindow(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(1)).Print();
    /// </code>
    /// </example>
    public static DStream<(TVertex Vertex, TVertex Component)> ConnectedComponentsByWindow<TVertex>(
        this DStream<(TVertex Source, TVertex Target)> edges, TimeSpan windowDuration, TimeSpan slideDuration)
        where TVertex : notnull, IComparable<TVertex> =>
        ByWindow(edges, windowDuration, slideDuration, static graph =>
        {
            var labels = GraphAlgorithms.ConnectedComponents(graph, Comparer<TVertex>.Default);
            var result = new (TVertex, TVertex)[labels.Length];
            for (var v = 0; v < labels.Length; v++)
            {
                result[v] = (graph.Vertices[v], graph.Vertices[labels[v]]);
            }

            return result;
        });

    /// <summary>
    /// Every <paramref name="slideDuration"/>, each vertex of the last <paramref name="windowDuration"/>'s edges
    /// with its PageRank after <paramref name="iterations"/> rounds (GraphX's <c>staticPageRank</c>): ranks start
    /// at 1, each round sets <c>rank(v) = reset + (1 - reset) · Σ rank(u) / outDegree(u)</c> over the edges
    /// u → v, and the result is scaled so the ranks sum to the number of vertices.
    /// </summary>
    /// <param name="edges">The edges.</param>
    /// <param name="windowDuration">The window length.</param>
    /// <param name="slideDuration">The interval between windows.</param>
    /// <param name="iterations">The number of rounds (at least 1).</param>
    /// <param name="resetProbability">The probability of a random jump (GraphX's <c>resetProb</c>; default 0.15).</param>
    public static DStream<(TVertex Vertex, double Rank)> PageRankByWindow<TVertex>(
        this DStream<(TVertex Source, TVertex Target)> edges, TimeSpan windowDuration, TimeSpan slideDuration, int iterations, double resetProbability = 0.15)
        where TVertex : notnull
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(iterations);
        CheckResetProbability(resetProbability);
        return ByWindow(edges, windowDuration, slideDuration, graph => Zip(graph, GraphAlgorithms.StaticPageRank(graph, iterations, resetProbability)));
    }

    /// <summary>
    /// Every <paramref name="slideDuration"/>, each vertex of the last <paramref name="windowDuration"/>'s edges
    /// with its PageRank run until no rank changes by more than <paramref name="tolerance"/> (GraphX's dynamic
    /// <c>pageRank(tol)</c>, a Pregel program), scaled so the ranks sum to the number of vertices.
    /// </summary>
    /// <param name="edges">The edges.</param>
    /// <param name="windowDuration">The window length.</param>
    /// <param name="slideDuration">The interval between windows.</param>
    /// <param name="tolerance">The change below which a vertex stops sending updates (e.g. 0.0001).</param>
    /// <param name="resetProbability">The probability of a random jump (GraphX's <c>resetProb</c>; default 0.15).</param>
    public static DStream<(TVertex Vertex, double Rank)> PageRankByWindow<TVertex>(
        this DStream<(TVertex Source, TVertex Target)> edges, TimeSpan windowDuration, TimeSpan slideDuration, double tolerance, double resetProbability = 0.15)
        where TVertex : notnull
    {
        if (!(tolerance >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The tolerance must be a non-negative number.");
        }

        CheckResetProbability(resetProbability);
        return ByWindow(edges, windowDuration, slideDuration, graph => Zip(graph, GraphAlgorithms.DynamicPageRank(graph, tolerance, resetProbability)));
    }

    /// <summary>
    /// Every <paramref name="slideDuration"/>, each vertex of the last <paramref name="windowDuration"/>'s edges
    /// with the number of triangles it belongs to (GraphX's <c>TriangleCount</c>: self-loops dropped, edges taken
    /// as undirected and distinct).
    /// </summary>
    public static DStream<(TVertex Vertex, int Triangles)> TriangleCountByWindow<TVertex>(
        this DStream<(TVertex Source, TVertex Target)> edges, TimeSpan windowDuration, TimeSpan slideDuration)
        where TVertex : notnull =>
        ByWindow(edges, windowDuration, slideDuration, static graph => Zip(graph, GraphAlgorithms.TriangleCounts(graph)));

    /// <summary>
    /// At each batch, every vertex seen so far with its connected component over all the edges seen so far
    /// (components named by their smallest vertex; edges taken as undirected). Incremental: the components are a
    /// union-find forest kept as checkpointed state, and each batch only unions its own edges in.
    /// </summary>
    /// <example>
    /// <code>
    /// var components = edges.ConnectedComponents();   // DStream&lt;(long Vertex, long Component)&gt;
    /// </code>
    /// </example>
    public static DStream<(TVertex Vertex, TVertex Component)> ConnectedComponents<TVertex>(this DStream<(TVertex Source, TVertex Target)> edges)
        where TVertex : notnull, IComparable<TVertex>
    {
        ArgumentNullException.ThrowIfNull(edges);
        return ModelState.States<(TVertex, TVertex), IncrementalComponents<TVertex>>(
                edges,
                IncrementalComponents<TVertex>.Empty,
                static (components, batch) => components.Add(batch, Comparer<TVertex>.Default))
            .Transform(static batch =>
            {
                var states = batch.Span;
                return states.Length == 0 ? [] : states[0].State.Labels();
            });
    }

    private static DStream<TResult> ByWindow<TVertex, TResult>(
        DStream<(TVertex Source, TVertex Target)> edges, TimeSpan windowDuration, TimeSpan slideDuration, Func<EdgeGraph<TVertex>, TResult[]> compute)
        where TVertex : notnull
    {
        ArgumentNullException.ThrowIfNull(edges);
        return edges.Window(windowDuration, slideDuration).Transform(batch => compute(EdgeGraph<TVertex>.From(batch.Span)));
    }

    private static (TVertex, TValue)[] Zip<TVertex, TValue>(EdgeGraph<TVertex> graph, TValue[] values)
        where TVertex : notnull
    {
        var result = new (TVertex, TValue)[values.Length];
        for (var v = 0; v < values.Length; v++)
        {
            result[v] = (graph.Vertices[v], values[v]);
        }

        return result;
    }

    private static void CheckResetProbability(double resetProbability)
    {
        if (!(resetProbability is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(resetProbability), resetProbability, "The reset probability must be in (0, 1); GraphX's default is 0.15.");
        }
    }
}
