namespace Pipelines.Windows;

/// <summary>
/// Spark's <c>WindowedDStream</c>: at each multiple of the slide, the records of every parent batch in
/// (t - window, t], in time order, each parent batch's partitions kept as partitions. The first windows cover
/// the batches that exist.
/// </summary>
internal sealed class WindowedDStream<T> : DStream<T>, IDescribedStream
{
    private readonly WindowInput<T> _input;
    private readonly TimeSpan _slideDuration;

    public WindowedDStream(DStream<T> parent, string name, TimeSpan windowDuration, TimeSpan slideDuration)
        : base(parent.Context, name)
    {
        WindowDurations.Validate(parent, name, windowDuration, slideDuration);
        _input = new WindowInput<T>(parent);
        WindowDuration = windowDuration;
        _slideDuration = slideDuration;
    }

    public TimeSpan WindowDuration { get; }

    public override TimeSpan SlideDuration => _slideDuration;

    internal override IReadOnlyList<DStream> Dependencies => [_input.Parent];

    /// <summary>As Spark: the parent keeps its batches for the window on top of what this stream must remember.</summary>
    internal override TimeSpan ParentRememberDuration => RememberDuration + WindowDuration;

    internal override Batch<T>? Compute(BatchTime time)
    {
        var builder = new BatchBuilder<T>();
        foreach (var parentTime in _input.Times(time - WindowDuration, time))
        {
            if (_input.Read(parentTime, time) is not { } batch)
            {
                continue;
            }

            for (var p = 0; p < batch.PartitionCount; p++)
            {
                builder.AddRange(batch.GetPartition(p));
                builder.EndPartition();
            }
        }

        return builder.ToBatch();
    }

    /// <summary>The parent batches the window reads (its parent remembers them for it).</summary>
    public StreamDescription Describe(StreamDescription description)
    {
        var (batches, records, _) = ((IRememberedBatches)_input.Parent).RememberedFigures();
        return description with { Kind = StreamKind.Window, WindowBatchesHeld = batches, WindowRecordsHeld = records };
    }

    internal override void ClearMetadata(BatchTime time)
    {
        base.ClearMetadata(time);
        _input.ForgetUpTo(time - WindowDuration);
    }
}
