using BenchmarkDotNet.Attributes;
using Pipelines.MachineLearning.Graphs;
using QuikGraph;
using QuikGraph.Algorithms.ConnectedComponents;

namespace Pipelines.MachineLearning.Benchmarks;

/// <summary>
/// Connected components of one window of 100,000 random edges over 50,000 vertices, from the edge list to a
/// component per vertex: this package's union-find against QuikGraph 2.5.0 (undirected graph + its
/// depth-first <c>ConnectedComponentsAlgorithm</c>).
/// </summary>
[MemoryDiagnoser]
public class ConnectedComponentsBenchmarks
{
    private (long Source, long Target)[] _edges = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _edges = new (long, long)[100_000];
        for (var i = 0; i < _edges.Length; i++)
        {
            _edges[i] = (random.Next(50_000), random.Next(50_000));
        }

        if (UnionFind() != QuikGraphDepthFirst())
        {
            throw new InvalidOperationException("The two implementations disagree on the number of components.");
        }
    }

    [Benchmark(Baseline = true)]
    public int UnionFind()
    {
        var graph = EdgeGraph<long>.From(_edges);
        var labels = GraphAlgorithms.ConnectedComponents(graph, Comparer<long>.Default);
        var roots = 0;
        for (var v = 0; v < labels.Length; v++)
        {
            if (labels[v] == v)
            {
                roots++;
            }
        }

        return roots;
    }

    [Benchmark]
    public int QuikGraphDepthFirst()
    {
        var graph = new UndirectedGraph<long, Edge<long>>(allowParallelEdges: true);
        foreach (var (source, target) in _edges)
        {
            graph.AddVerticesAndEdge(new Edge<long>(source, target));
        }

        var algorithm = new ConnectedComponentsAlgorithm<long, Edge<long>>(graph);
        algorithm.Compute();
        return algorithm.ComponentCount;
    }
}
