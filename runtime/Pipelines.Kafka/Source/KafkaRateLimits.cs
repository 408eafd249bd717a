namespace Pipelines.Kafka;

/// <summary>Spark's <c>DirectKafkaInputDStream.maxMessagesPerPartition</c>: how many records each partition's range may hold.</summary>
internal static class KafkaRateLimits
{
    /// <summary>
    /// The most records per partition for one batch, or <c>null</c> for no limit. With a backpressure rate, it is
    /// shared among partitions in proportion to their lag, each share capped by <paramref name="maxRatePerPartition"/>;
    /// without one, <paramref name="maxRatePerPartition"/> applies. Each limit is at least
    /// <paramref name="minRatePerPartition"/> × the interval (and at least one record), so a partition with data always moves.
    /// </summary>
    public static long[]? MaxRecordsPerPartition(long[] lags, double? backpressureRate, double? maxRatePerPartition, double minRatePerPartition, TimeSpan batchInterval)
    {
        double[] rates;
        if (backpressureRate is > 0 and var rate)
        {
            double totalLag = 0;
            foreach (var lag in lags)
            {
                totalLag += Math.Max(0, lag);
            }

            rates = new double[lags.Length];
            for (var i = 0; i < lags.Length; i++)
            {
                var share = totalLag > 0 ? Math.Max(0, lags[i]) / totalLag * rate : 0;
                rates[i] = maxRatePerPartition is { } max ? Math.Min(share, max) : share;
            }
        }
        else if (maxRatePerPartition is { } max)
        {
            rates = new double[lags.Length];
            Array.Fill(rates, max);
        }
        else
        {
            return null;
        }

        var seconds = batchInterval.TotalSeconds;
        var limits = new long[lags.Length];
        for (var i = 0; i < lags.Length; i++)
        {
            limits[i] = Math.Max(1, (long)Math.Max(rates[i] * seconds, minRatePerPartition * seconds));
        }

        return limits;
    }
}
