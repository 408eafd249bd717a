namespace Pipelines.Operators;

/// <summary>
/// A stream whose batch is a function of its parent's batch at the same time. The function always builds a
/// new batch (never returns its input), so each stream owns the buffers it remembers.
/// </summary>
internal sealed class TransformedDStream<TIn, TOut> : DStream<TOut>
{
    private readonly DStream<TIn> _parent;
    private readonly Func<Batch<TIn>, BatchTime, Batch<TOut>> _compute;
    private readonly TimeSpan _slide;
    private readonly bool _requireBatch;

    /// <param name="parent">The input stream.</param>
    /// <param name="name">The operator's name.</param>
    /// <param name="compute">Computes the batch from the parent's.</param>
    /// <param name="requireBatch">
    /// Whether a time at which the parent has no batch fails (Spark's <c>transform</c>) instead of giving no batch
    /// (Spark's <c>map</c> and the other narrow operators).
    /// </param>
    public TransformedDStream(DStream<TIn> parent, string name, Func<Batch<TIn>, BatchTime, Batch<TOut>> compute, bool requireBatch = false)
        : base(parent.Context, name)
    {
        _parent = parent;
        _compute = compute;
        _requireBatch = requireBatch;
        _slide = parent.SlideDuration; // kept: asking the parent each time costs the chain's depth
    }

    public override TimeSpan SlideDuration => _slide;

    internal override IReadOnlyList<DStream> Dependencies => [_parent];

    internal override Batch<TOut>? Compute(BatchTime time) =>
        _parent.GetOrCompute(time) is { } batch ? _compute(batch, time)
        : _requireBatch ? throw NoBatch.From(Name, _parent, time)
        : null;
}

/// <summary>A stream whose batch is a function of two parents' batches at the same time.</summary>
internal sealed class BinaryTransformedDStream<TLeft, TRight, TOut> : DStream<TOut>
{
    private readonly DStream<TLeft> _left;
    private readonly DStream<TRight> _right;
    private readonly Func<Batch<TLeft>, Batch<TRight>, BatchTime, Batch<TOut>> _compute;
    private readonly TimeSpan _slide;
    private readonly bool _requireBatches;

    /// <param name="left">The first input.</param>
    /// <param name="right">The second input.</param>
    /// <param name="name">The operator's name.</param>
    /// <param name="compute">Computes the batch from both inputs' batches.</param>
    /// <param name="requireBatches">
    /// Whether a time at which either input has no batch fails (Spark's <c>transformWith</c>) instead of reading the
    /// missing batch as empty (and giving no batch when neither has one).
    /// </param>
    public BinaryTransformedDStream(
        DStream<TLeft> left, DStream<TRight> right, string name, Func<Batch<TLeft>, Batch<TRight>, BatchTime, Batch<TOut>> compute, bool requireBatches = false)
        : base(left.Context, name)
    {
        SameGraph.Require(left, right, name);
        _left = left;
        _right = right;
        _compute = compute;
        _requireBatches = requireBatches;
        _slide = left.SlideDuration;
    }

    public override TimeSpan SlideDuration => _slide;

    internal override IReadOnlyList<DStream> Dependencies => [_left, _right];

    internal override Batch<TOut>? Compute(BatchTime time)
    {
        var left = _left.GetOrCompute(time);
        var right = _right.GetOrCompute(time);
        if (_requireBatches)
        {
            return _compute(left ?? throw NoBatch.From(Name, _left, time), right ?? throw NoBatch.From(Name, _right, time), time);
        }

        return left is null && right is null ? null : _compute(left ?? Batch<TLeft>.Empty, right ?? Batch<TRight>.Empty, time);
    }
}

/// <summary>
/// Spark's <c>StreamingContext.transform(dstreams, func)</c>: a stream whose batch is a function of the batches of any
/// number of streams (of any record types) at the same time. A stream with no batch at a time fails that time, as in
/// Spark.
/// </summary>
internal sealed class MultiTransformedDStream<TOut> : DStream<TOut>
{
    private readonly DStream[] _parents;
    private readonly Func<IReadOnlyList<object>, BatchTime, Batch<TOut>> _compute;
    private readonly TimeSpan _slide;

    public MultiTransformedDStream(StreamingContext context, DStream[] parents, Func<IReadOnlyList<object>, BatchTime, Batch<TOut>> compute)
        : base(context, "Transform")
    {
        if (parents.Length == 0)
        {
            throw new ArgumentException("Transform needs at least one stream.", nameof(parents));
        }

        foreach (var parent in parents)
        {
            ArgumentNullException.ThrowIfNull(parent, nameof(parents));
            if (!ReferenceEquals(parent.Context, context))
            {
                throw new ArgumentException("Transform combines streams of different StreamingContexts; create every stream from the context it is given to.", nameof(parents));
            }

            SameGraph.Require(parents[0], parent, "Transform");
        }

        _parents = parents;
        _compute = compute;
        _slide = parents[0].SlideDuration;
    }

    public override TimeSpan SlideDuration => _slide;

    internal override IReadOnlyList<DStream> Dependencies => _parents;

    internal override Batch<TOut>? Compute(BatchTime time)
    {
        var batches = new object[_parents.Length];
        for (var i = 0; i < batches.Length; i++)
        {
            batches[i] = _parents[i].GetOrComputeBatch(time) ?? throw NoBatch.From(Name, _parents[i], time);
        }

        return _compute(batches, time);
    }
}

/// <summary>The error of an operator that needs a batch from each input at a time and found none.</summary>
internal static class NoBatch
{
    public static InvalidOperationException From(string operation, DStream input, BatchTime time) =>
        new($"{operation} has no batch from its input {input} at {time}: the input produced no batch at all (not even an empty one) for that time, " +
            $"and {operation} needs one from every input, as in Spark (which throws here too). Give the source an empty batch for that time instead of none, " +
            "or read the inputs with operators that accept a missing batch (narrow operators, UpdateStateByKey).");
}

/// <summary>Checks that streams combined by one operator can be combined.</summary>
internal static class SameGraph
{
    public static void Require(DStream first, DStream second, string operation)
    {
        ArgumentNullException.ThrowIfNull(second);
        if (!ReferenceEquals(first.Context, second.Context))
        {
            throw new ArgumentException($"{operation} combines streams of different StreamingContexts; create both streams from the same context.", nameof(second));
        }

        if (first.SlideDuration != second.SlideDuration)
        {
            throw new ArgumentException(
                $"{operation} combines streams with different slide durations ({first.SlideDuration} and {second.SlideDuration}); window them to the same slide first.", nameof(second));
        }
    }
}
