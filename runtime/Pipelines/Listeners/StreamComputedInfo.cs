namespace Pipelines;

/// <summary>
/// One stream computed its batch (see <see cref="IStreamingListener.OnStreamComputed"/>): the time spent in that
/// stream's own operator (for a compiled pipeline, its fused stage), what it produced, and the time including the
/// streams it computed first.
/// </summary>
/// <param name="BatchTime">The batch time.</param>
/// <param name="StreamId">The stream's id: its position in <see cref="StreamingContext.DescribeStreams"/>.</param>
/// <param name="Name">The stream's operator (<c>Map</c>, <c>ReduceByKey</c>, <c>WordCount.Compile</c>, ...).</param>
/// <param name="Records">Records in the batch it produced (0 when it produced none).</param>
/// <param name="Partitions">Partitions of that batch (0 when it produced none).</param>
/// <param name="OwnTime">Time spent in this stream alone: <paramref name="TotalTime"/> minus the upstream streams it computed.</param>
/// <param name="TotalTime">Time from asking for the batch to having it, including upstream streams computed on the way.</param>
/// <remarks>
/// Times come from the context's <see cref="TimeProvider"/> (so a <c>ManualClock</c> that nobody advances
/// reports zero). A stream whose computation threw reports nothing; its batch's failure is in
/// <see cref="BatchInfo.Failure"/>.
/// </remarks>
public sealed record StreamComputedInfo(BatchTime BatchTime, int StreamId, string Name, long Records, int Partitions, TimeSpan OwnTime, TimeSpan TotalTime);
