using Pipelines.MachineLearning.Graphs;
using Pipelines.Testing;

namespace Pipelines.MachineLearning.Tests.Graphs;

/// <summary>GraphX's algorithms over windows of edges, checked against published values and independent references.</summary>
public sealed class GraphWindowTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private static IReadOnlyList<(long Vertex, TValue Value)> OneWindow<TValue>(
        IEnumerable<(long, long)> edges, Func<DStream<(long Source, long Target)>, DStream<(long Vertex, TValue Value)>> algorithm) =>
        StreamingTest.Run([edges], algorithm, 1).Single();

    private static double SquaredError(IReadOnlyList<(long Vertex, double Rank)> ranks, IReadOnlyDictionary<long, double> expected) =>
        ranks.Sum(r => Math.Pow(r.Rank - expected[r.Vertex], 2));

    [Fact]
    public void PageRank_of_a_loop_with_a_source_matches_igraph_and_NetworkX()
    {
        // GraphX's PageRankSuite "Loop with source PageRank": 1 -> 2 -> 3 -> 4 -> 2. igraph's page_rank (and
        // NetworkX's pagerank) give 0.0375, 0.3326045, 0.3202138, 0.3096817; GraphX's ranks sum to the number of
        // vertices, so they are 4 times these. GraphX's tolerance: squared error below 1e-5.
        (long, long)[] edges = [(1, 2), (2, 3), (3, 4), (4, 2)];
        var published = new Dictionary<long, double> { [1] = 0.0375000 * 4, [2] = 0.3326045 * 4, [3] = 0.3202138 * 4, [4] = 0.3096817 * 4 };

        var staticRanks = OneWindow(edges, e => e.PageRankByWindow(Second, Second, iterations: 80, resetProbability: 0.15));
        var dynamicRanks = OneWindow(edges, e => e.PageRankByWindow(Second, Second, tolerance: 0.0001, resetProbability: 0.15));

        Assert.Equal(4, staticRanks.Count);
        Assert.True(SquaredError(staticRanks, published) < 1e-5, $"static error {SquaredError(staticRanks, published)}");
        Assert.True(SquaredError(dynamicRanks, published) < 1e-5, $"dynamic error {SquaredError(dynamicRanks, published)}");
    }

    [Fact]
    public void PageRank_of_a_star_converges_in_two_iterations_and_dynamic_agrees()
    {
        // GraphX's "Star PageRank": 99 leaves point to vertex 0. Ranks start at 1, so after two rounds they stop
        // changing.
        var edges = Enumerable.Range(1, 99).Select(i => ((long)i, 0L)).ToArray();
        var one = OneWindow(edges, e => e.PageRankByWindow(Second, Second, iterations: 3));
        var two = OneWindow(edges, e => e.PageRankByWindow(Second, Second, iterations: 2));
        var dynamic = OneWindow(edges, e => e.PageRankByWindow(Second, Second, tolerance: 0.0));

        Assert.Equal(one, two);
        // Before scaling: leaves 0.15, the center 0.15 + 0.85 · 0.15 · 99; scaled to sum to 100.
        var center = 0.15 + (0.85 * 0.15 * 99);
        var scale = 100 / (center + (99 * 0.15));
        Assert.Equal(center * scale, two.Single(r => r.Vertex == 0).Value, 9);
        Assert.All(two.Where(r => r.Vertex != 0), r => Assert.Equal(0.15 * scale, r.Value, 9));
        Assert.True(SquaredError(dynamic, two.ToDictionary(r => r.Vertex, r => r.Value)) < 1e-5);
    }

    [Fact]
    public void PageRank_static_and_dynamic_agree_on_a_chain()
    {
        // GraphX's "Chain PageRank": 0 -> 1 -> ... -> 9, 10 iterations vs tolerance 0.0001.
        var edges = Enumerable.Range(0, 9).Select(i => ((long)i, (long)i + 1)).ToArray();
        var staticRanks = OneWindow(edges, e => e.PageRankByWindow(Second, Second, iterations: 10));
        var dynamicRanks = OneWindow(edges, e => e.PageRankByWindow(Second, Second, tolerance: 0.0001));

        Assert.Equal(10, staticRanks.Count);
        Assert.True(SquaredError(staticRanks, dynamicRanks.ToDictionary(r => r.Vertex, r => r.Value)) < 1e-5);
        Assert.Equal(10.0, staticRanks.Sum(r => r.Value), 9);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    public void Triangle_counts_of_complete_graphs(int n)
    {
        // K_n, each edge given in both directions and twice, plus self-loops: canonicalization must drop them.
        var edges = new List<(long, long)>();
        for (var a = 0; a < n; a++)
        {
            edges.Add((a, a));
            for (var b = 0; b < n; b++)
            {
                if (a != b)
                {
                    edges.Add((a, b));
                    edges.Add((a, b));
                }
            }
        }

        var counts = OneWindow(edges, e => e.TriangleCountByWindow(Second, Second));

        var perVertex = (n - 1) * (n - 2) / 2;
        Assert.Equal(n, counts.Count);
        Assert.All(counts, c => Assert.Equal(perVertex, c.Value));
        Assert.Equal(n * (n - 1) * (n - 2) / 6, counts.Sum(c => c.Value) / 3);
    }

    [Fact]
    public void Triangle_counts_of_two_triangles_sharing_an_edge()
    {
        (long, long)[] edges = [(1, 2), (2, 3), (3, 1), (2, 4), (4, 3), (4, 5)];
        var counts = OneWindow(edges, e => e.TriangleCountByWindow(Second, Second)).ToDictionary(c => c.Vertex, c => c.Value);
        Assert.Equal(new Dictionary<long, int> { [1] = 1, [2] = 2, [3] = 2, [4] = 1, [5] = 0 }, counts);
    }

    [Fact]
    public void Degrees_count_in_and_out_edges_as_GraphX()
    {
        (long, long)[] edges = [(1, 2), (1, 2), (2, 3), (3, 3)];
        var degrees = OneWindow(edges, e => e.DegreesByWindow(Second, Second));
        Assert.Equal([(1L, 2), (2L, 3), (3L, 3)], degrees);
    }

    [Fact]
    public void Connected_components_match_a_breadth_first_reference_on_a_random_graph()
    {
        var random = new Random(20);
        var edges = Enumerable.Range(0, 600).Select(_ => ((long)random.Next(2000), (long)random.Next(2000))).ToArray();

        var components = OneWindow(edges, e => e.ConnectedComponentsByWindow(Second, Second));

        var reference = ReferenceComponents(edges);
        Assert.Equal(reference.Count, components.Count);
        Assert.All(components, c => Assert.Equal(reference[c.Vertex], c.Value));
        Assert.True(components.Select(c => c.Value).Distinct().Count() > 100, "The generated graph should have many components.");
    }

    [Fact]
    public void Windows_forget_edges_that_left_them()
    {
        // Batch 1: 1-2; batch 2: 2-3; batch 3: 4-5. A 2-second window sliding by 1 second.
        var output = StreamingTest.Run<(long, long), (long Vertex, long Component)>(
            [[(1, 2)], [(2, 3)], [(4, 5)]],
            e => e.ConnectedComponentsByWindow(TimeSpan.FromSeconds(2), Second),
            3);

        Assert.Equal([(1L, 1L), (2L, 1L)], output[0]);
        Assert.Equal([(1L, 1L), (2L, 1L), (3L, 1L)], output[1]);
        Assert.Equal([(2L, 2L), (3L, 2L), (4L, 4L), (5L, 4L)], output[2]);
    }

    [Fact]
    public void Incremental_components_over_the_whole_stream_match_the_reference_after_every_batch()
    {
        var random = new Random(5);
        var batches = Enumerable.Range(0, 8)
            .Select(_ => Enumerable.Range(0, 60).Select(_ => ((long)random.Next(300), (long)random.Next(300))).ToArray())
            .ToArray();

        var output = StreamingTest.Run(batches, e => e.ConnectedComponents(), batches.Length + 1);

        for (var b = 0; b < batches.Length; b++)
        {
            var reference = ReferenceComponents(batches.Take(b + 1).SelectMany(x => x));
            Assert.Equal(reference.Count, output[b].Count);
            Assert.All(output[b], c => Assert.Equal(reference[c.Vertex], c.Component));
        }

        // A batch without edges keeps every component.
        Assert.Equal(output[batches.Length - 1], output[batches.Length]);
    }

    /// <summary>Components by breadth-first search, labeled by their smallest vertex.</summary>
    private static Dictionary<long, long> ReferenceComponents(IEnumerable<(long A, long B)> edges)
    {
        var adjacency = new Dictionary<long, List<long>>();
        foreach (var (a, b) in edges)
        {
            (adjacency.TryGetValue(a, out var la) ? la : adjacency[a] = []).Add(b);
            (adjacency.TryGetValue(b, out var lb) ? lb : adjacency[b] = []).Add(a);
        }

        var label = new Dictionary<long, long>();
        foreach (var start in adjacency.Keys)
        {
            if (label.ContainsKey(start))
            {
                continue;
            }

            var members = new List<long> { start };
            var queue = new Queue<long>([start]);
            var seen = new HashSet<long> { start };
            while (queue.TryDequeue(out var v))
            {
                foreach (var w in adjacency[v])
                {
                    if (seen.Add(w))
                    {
                        members.Add(w);
                        queue.Enqueue(w);
                    }
                }
            }

            var smallest = members.Min();
            foreach (var m in members)
            {
                label[m] = smallest;
            }
        }

        return label;
    }
}
