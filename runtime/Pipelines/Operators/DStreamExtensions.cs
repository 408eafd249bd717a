using Pipelines.Operators;

namespace Pipelines;

/// <summary>Transformations that need a constraint on the record type.</summary>
public static partial class DStreamExtensions
{
    /// <summary>
    /// A stream of (value, number of occurrences) for each distinct record of each batch (Spark's
    /// <c>countByValue</c>). Records compare with their <see cref="object.Equals(object)"/>; null records are not allowed.
    /// </summary>
    public static DStream<(T Value, long Count)> CountByValue<T>(this DStream<T> stream)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        return CountByValue(stream, stream.Context.Options.Parallelism);
    }

    /// <summary>
    /// <see cref="CountByValue{T}(DStream{T})"/> with the result in <paramref name="numPartitions"/> partitions:
    /// each value's count lands in the partition its hash picks.
    /// </summary>
    public static DStream<(T Value, long Count)> CountByValue<T>(this DStream<T> stream, int numPartitions)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numPartitions);
        var parallelism = stream.Context.Options.Parallelism;
        return new TransformedDStream<T, (T, long)>(stream, nameof(CountByValue), (batch, _) => KeyedKernels.CountByValue(batch, numPartitions, parallelism));
    }
}
