namespace Pipelines.Kafka;

/// <summary>
/// Settings of a Kafka direct stream beyond the <c>ConsumerConfig</c> (Spark's <c>spark.streaming.kafka.*</c>).
/// </summary>
public sealed record KafkaDirectStreamOptions
{
    /// <summary>
    /// The most records per second read from each partition (Spark's <c>maxRatePerPartition</c>): a batch's range
    /// of a partition holds at most this × the batch interval. <c>null</c> (the default): no limit.
    /// </summary>
    public double? MaxRatePerPartition { get; init; }

    /// <summary>
    /// With backpressure on, the floor of each partition's rate (Spark's <c>minRatePerPartition</c>, default 1): a
    /// partition with data gets at least this × the batch interval records per batch however slow processing is.
    /// </summary>
    public double MinRatePerPartition { get; init; } = 1;

    /// <summary>
    /// How long a batch may wait for the records of its ranges before it fails (default 60 s). Records of a decided
    /// range exist on the brokers, so this only runs out when brokers are unreachable or records were deleted.
    /// </summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The timeout of each metadata and watermark request when a batch's ranges are decided (default 10 s).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the brokers may stay unreachable before the stream reports an error (default 60 s). Until then, each
    /// batch that cannot reach them gets empty ranges and the positions stay where they were: nothing is skipped.
    /// </summary>
    public TimeSpan UnreachableTimeout { get; init; } = TimeSpan.FromSeconds(60);

    internal void Validate()
    {
        if (MaxRatePerPartition is <= 0 || MinRatePerPartition <= 0)
        {
            throw new ArgumentException("MaxRatePerPartition and MinRatePerPartition must be positive (leave MaxRatePerPartition null for no limit).");
        }

        if (ReadTimeout <= TimeSpan.Zero || RequestTimeout <= TimeSpan.Zero || UnreachableTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException("ReadTimeout and RequestTimeout must be positive and UnreachableTimeout must not be negative.");
        }
    }
}
