namespace Pipelines.Operators;

/// <summary>
/// Spark's <c>union</c>: the batch holds every parent's partitions, in parent order. A parent that is itself a
/// union is read through (its own parents, recursively): a chain <c>a.Union(b).Union(c)...</c> copies each record
/// once into the last union instead of once per union, so a chain of n unions costs time and memory linear in n
/// (the unions in between compute nothing unless something else reads them).
/// </summary>
internal sealed class UnionDStream<T> : DStream<T>
{
    private readonly DStream<T>[] _parents;
    private readonly TimeSpan _slide;
    private DStream<T>[]? _leaves;

    public UnionDStream(StreamingContext context, DStream<T>[] parents)
        : base(context, "Union")
    {
        if (parents.Length == 0)
        {
            throw new ArgumentException("Union needs at least one stream.", nameof(parents));
        }

        foreach (var parent in parents)
        {
            ArgumentNullException.ThrowIfNull(parent, nameof(parents));
            SameGraph.Require(parents[0], parent, "Union");
        }

        _parents = parents;
        _slide = parents[0].SlideDuration; // kept: asking the parent each time costs the chain's depth
    }

    public override TimeSpan SlideDuration => _slide;

    internal override IReadOnlyList<DStream> Dependencies => _parents;

    internal override IReadOnlyList<DStream> ComputeInputs => Leaves;

    /// <summary>The streams this union reads: its parents, with each parent union replaced by its own leaves, in order.</summary>
    private DStream<T>[] Leaves => _leaves ??= Flatten();

    internal override Batch<T>? Compute(BatchTime time)
    {
        var builder = new BatchBuilder<T>();
        var any = false;
        foreach (var parent in Leaves)
        {
            if (parent.GetOrCompute(time) is not { } batch)
            {
                continue;
            }

            any = true;
            for (var p = 0; p < batch.PartitionCount; p++)
            {
                builder.AddRange(batch.GetPartition(p));
                builder.EndPartition();
            }
        }

        return any ? builder.ToBatch() : null;
    }

    private DStream<T>[] Flatten()
    {
        var leaves = new List<DStream<T>>();
        var pending = new Stack<DStream<T>>();
        for (var i = _parents.Length - 1; i >= 0; i--)
        {
            pending.Push(_parents[i]);
        }

        while (pending.Count > 0)
        {
            var stream = pending.Pop();
            if (stream is UnionDStream<T> union)
            {
                for (var i = union._parents.Length - 1; i >= 0; i--)
                {
                    pending.Push(union._parents[i]);
                }
            }
            else
            {
                leaves.Add(stream);
            }
        }

        return [.. leaves];
    }
}
