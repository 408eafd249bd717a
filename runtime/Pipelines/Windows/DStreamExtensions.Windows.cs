using Pipelines.Operators;
using Pipelines.Windows;

namespace Pipelines;

/// <summary>Window operations that need a constraint on the record type.</summary>
public static partial class DStreamExtensions
{
    /// <summary>
    /// A stream with, every <paramref name="slideDuration"/>, each distinct record of the last
    /// <paramref name="windowDuration"/> and how often it occurs (Spark's <c>countByValueAndWindow</c>). It counts
    /// incrementally and, as in Spark, drops values whose count fell to 0.
    /// </summary>
    /// <exception cref="ArgumentException">A duration is not positive or not a multiple of the stream's slide.</exception>
    public static DStream<(T Value, long Count)> CountByValueAndWindow<T>(this DStream<T> stream, TimeSpan windowDuration, TimeSpan slideDuration)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        const string name = nameof(CountByValueAndWindow);
        WindowDurations.Validate(stream, name, windowDuration, slideDuration);
        return new ReducedWindowedDStream<T, T, long>(
            stream, name, KeyedWindows.Shared(new CountSliceStage<T>()), static (a, b) => a + b, static (a, b) => a - b, static pair => pair.Value != 0, windowDuration, slideDuration);
    }

    /// <summary>
    /// <see cref="CountByValueAndWindow{T}(DStream{T}, TimeSpan, TimeSpan)"/> with the result in
    /// <paramref name="numPartitions"/> partitions (Spark's <c>countByValueAndWindow(window, slide, numPartitions)</c>).
    /// The count is kept on the stream (<see cref="DStream.NumPartitions"/>) and takes effect where batches run in
    /// parallel partitions; the counts are the same for any count of partitions.
    /// </summary>
    /// <exception cref="ArgumentException">A duration is not positive or not a multiple of the stream's slide.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numPartitions"/> is not positive.</exception>
    public static DStream<(T Value, long Count)> CountByValueAndWindow<T>(this DStream<T> stream, TimeSpan windowDuration, TimeSpan slideDuration, int numPartitions)
        where T : notnull
    {
        DStream.RequirePartitions(numPartitions, nameof(CountByValueAndWindow));
        return DStream.WithNumPartitions(stream.CountByValueAndWindow(windowDuration, slideDuration), numPartitions, nameof(CountByValueAndWindow));
    }
}
