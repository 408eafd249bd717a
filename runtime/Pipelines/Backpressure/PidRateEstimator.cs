namespace Pipelines.Backpressure;

/// <summary>
/// Spark's PID rate estimator: after each batch it proposes the ingestion rate (records per second) at which
/// batches would finish within the batch interval, from the batch's size, processing delay and scheduling
/// delay. The proportional term reacts to the gap between the current rate and the rate processing achieved;
/// the integral term drains the backlog that the scheduling delay reveals.
/// </summary>
internal sealed class PidRateEstimator
{
    private readonly double _batchIntervalMs;
    private readonly BackpressureOptions _options;
    private bool _firstRun = true;
    private long _latestTimeMs = -1;
    private double _latestRate = -1;
    private double _latestError = -1;

    public PidRateEstimator(TimeSpan batchInterval, BackpressureOptions options)
    {
        _batchIntervalMs = batchInterval.TotalMilliseconds;
        _options = options;
    }

    /// <summary>
    /// The new rate after a batch that completed at <paramref name="timeMs"/>, or <c>null</c> when there is
    /// not enough information yet (the first batch, an empty batch, or no processing time).
    /// </summary>
    public double? Compute(long timeMs, long numElements, double processingDelayMs, double schedulingDelayMs)
    {
        lock (this)
        {
            if (timeMs <= _latestTimeMs || numElements <= 0 || processingDelayMs <= 0)
            {
                return null;
            }

            var delaySinceUpdate = _firstRun ? 1.0 : (timeMs - _latestTimeMs) / 1000.0;
            var processingRate = numElements / processingDelayMs * 1000;
            var error = _latestRate - processingRate;
            var historicalError = schedulingDelayMs * processingRate / _batchIntervalMs;
            var dError = (error - _latestError) / delaySinceUpdate;
            var newRate = Math.Max(
                _latestRate - (_options.Proportional * error) - (_options.Integral * historicalError) - (_options.Derivative * dError),
                _options.MinRate);
            _latestTimeMs = timeMs;
            if (_firstRun)
            {
                _latestRate = processingRate;
                _latestError = 0;
                _firstRun = false;
                return null;
            }

            _latestRate = newRate;
            _latestError = error;
            return newRate;
        }
    }
}
