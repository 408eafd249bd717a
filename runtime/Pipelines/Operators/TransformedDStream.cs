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

    public TransformedDStream(DStream<TIn> parent, string name, Func<Batch<TIn>, BatchTime, Batch<TOut>> compute)
        : base(parent.Context, name)
    {
        _parent = parent;
        _compute = compute;
        _slide = parent.SlideDuration; // kept: asking the parent each time costs the chain's depth
    }

    public override TimeSpan SlideDuration => _slide;

    internal override IReadOnlyList<DStream> Dependencies => [_parent];

    internal override Batch<TOut>? Compute(BatchTime time) =>
        _parent.GetOrCompute(time) is { } batch ? _compute(batch, time) : null;
}

/// <summary>A stream whose batch is a function of two parents' batches at the same time.</summary>
internal sealed class BinaryTransformedDStream<TLeft, TRight, TOut> : DStream<TOut>
{
    private readonly DStream<TLeft> _left;
    private readonly DStream<TRight> _right;
    private readonly Func<Batch<TLeft>, Batch<TRight>, BatchTime, Batch<TOut>> _compute;
    private readonly TimeSpan _slide;

    public BinaryTransformedDStream(DStream<TLeft> left, DStream<TRight> right, string name, Func<Batch<TLeft>, Batch<TRight>, BatchTime, Batch<TOut>> compute)
        : base(left.Context, name)
    {
        SameGraph.Require(left, right, name);
        _left = left;
        _right = right;
        _compute = compute;
        _slide = left.SlideDuration;
    }

    public override TimeSpan SlideDuration => _slide;

    internal override IReadOnlyList<DStream> Dependencies => [_left, _right];

    internal override Batch<TOut>? Compute(BatchTime time)
    {
        var left = _left.GetOrCompute(time);
        var right = _right.GetOrCompute(time);
        return left is null && right is null ? null : _compute(left ?? Batch<TLeft>.Empty, right ?? Batch<TRight>.Empty, time);
    }
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
