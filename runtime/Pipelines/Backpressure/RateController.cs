namespace Pipelines.Backpressure;

/// <summary>
/// Hands each receiver a <see cref="RateLimiter"/> and, with backpressure on, updates every limiter after
/// each completed batch with the PID estimate, capped by the configured maximum (Spark's RateController).
/// </summary>
internal sealed class RateController : IStreamingListener
{
    private readonly TimeProvider _clock;
    private readonly BackpressureOptions _options;
    private readonly PidRateEstimator _estimator;
    private readonly List<RateLimiter> _limiters = [];

    public RateController(TimeProvider clock, TimeSpan batchInterval, BackpressureOptions options)
    {
        options.Validate();
        _clock = clock;
        _options = options;
        _estimator = new PidRateEstimator(batchInterval, options);
    }

    /// <summary>A limiter for a new receiver, starting at the initial rate (or the maximum).</summary>
    public RateLimiter CreateLimiter()
    {
        var initial = _options.Enabled ? Min(_options.InitialRate, _options.MaxRatePerReceiver) : _options.MaxRatePerReceiver;
        var limiter = new RateLimiter(_clock, initial);
        lock (_limiters)
        {
            _limiters.Add(limiter);
        }

        return limiter;
    }

    public void OnBatchCompleted(BatchInfo batch)
    {
        if (!_options.Enabled || batch.ProcessingDelay is not { } processing || batch.SchedulingDelay is not { } scheduling)
        {
            return;
        }

        var estimate = _estimator.Compute(batch.BatchTime.Milliseconds, batch.NumRecords, processing.TotalMilliseconds, scheduling.TotalMilliseconds);
        if (estimate is not { } rate)
        {
            return;
        }

        RateLimiter[] limiters;
        lock (_limiters)
        {
            limiters = [.. _limiters];
        }

        // Each receiver gets an equal share of the estimated rate, as Spark divides it among receivers.
        var share = Math.Max(_options.MinRate, rate / Math.Max(1, limiters.Length));
        var capped = Min(share, _options.MaxRatePerReceiver)!.Value;
        foreach (var limiter in limiters)
        {
            limiter.SetRate(capped);
        }
    }

    private static double? Min(double? a, double? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);
}
