namespace Pipelines.Operators;

/// <summary>Spark's <c>union</c>: the batch holds every parent's partitions, in parent order.</summary>
internal sealed class UnionDStream<T> : DStream<T>
{
    private readonly DStream<T>[] _parents;

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
    }

    public override TimeSpan SlideDuration => _parents[0].SlideDuration;

    internal override IReadOnlyList<DStream> Dependencies => _parents;

    internal override Batch<T>? Compute(BatchTime time)
    {
        var builder = new BatchBuilder<T>();
        var any = false;
        foreach (var parent in _parents)
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
}
