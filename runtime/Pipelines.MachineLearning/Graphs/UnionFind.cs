namespace Pipelines.MachineLearning.Graphs;

/// <summary>Union-find over dense vertex numbers, keeping at each root the smallest vertex of its set.</summary>
internal static class UnionFind
{
    /// <summary>The root of <paramref name="v"/>'s set, halving the path on the way.</summary>
    public static int Find(int[] parent, int v)
    {
        while (parent[v] != v)
        {
            parent[v] = parent[parent[v]];
            v = parent[v];
        }

        return v;
    }

    /// <summary>Merges the sets of <paramref name="a"/> and <paramref name="b"/> (the larger root stays the root).</summary>
    public static void Union<TVertex>(int[] parent, int[] size, int[] smallest, int a, int b, IReadOnlyList<TVertex> vertices, IComparer<TVertex> comparer)
    {
        var rootA = Find(parent, a);
        var rootB = Find(parent, b);
        if (rootA == rootB)
        {
            return;
        }

        if (size[rootA] < size[rootB])
        {
            (rootA, rootB) = (rootB, rootA);
        }

        parent[rootB] = rootA;
        size[rootA] += size[rootB];
        if (comparer.Compare(vertices[smallest[rootB]], vertices[smallest[rootA]]) < 0)
        {
            smallest[rootA] = smallest[rootB];
        }
    }
}
