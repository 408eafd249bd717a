using Pipelines.Backpressure;

namespace Pipelines.Tests.Backpressure;

public sealed class PidRateEstimatorTests
{
    private static PidRateEstimator Create(BackpressureOptions? options = null) =>
        new(TimeSpan.FromSeconds(1), options ?? new BackpressureOptions { Enabled = true });

    [Fact]
    public void The_first_batch_only_primes_the_estimator()
    {
        var estimator = Create();

        Assert.Null(estimator.Compute(1000, 1000, processingDelayMs: 500, schedulingDelayMs: 0));
    }

    [Fact]
    public void Empty_batches_and_old_times_give_no_estimate()
    {
        var estimator = Create();
        estimator.Compute(1000, 1000, 500, 0);

        Assert.Null(estimator.Compute(2000, 0, 500, 0));
        Assert.Null(estimator.Compute(1000, 1000, 500, 0));
        Assert.Null(estimator.Compute(3000, 1000, 0, 0));
    }

    [Fact]
    public void A_steady_batch_that_keeps_up_keeps_the_rate()
    {
        var estimator = Create();
        estimator.Compute(1000, 1000, processingDelayMs: 1000, schedulingDelayMs: 0);

        // Processing rate 1000/s both times: no error, no backlog.
        Assert.Equal(1000, estimator.Compute(2000, 1000, 1000, 0)!.Value, precision: 6);
    }

    [Fact]
    public void Slow_processing_and_a_backlog_lower_the_rate()
    {
        var estimator = Create();
        estimator.Compute(1000, 1000, processingDelayMs: 1000, schedulingDelayMs: 0);

        // Now 1000 records took 2 s (500/s) and batches queue up 1 s: error 500, backlog 1 s * 500/s.
        var rate = estimator.Compute(2000, 1000, processingDelayMs: 2000, schedulingDelayMs: 1000)!.Value;

        Assert.Equal(1000 - (1.0 * 500) - (0.2 * 500), rate, precision: 6);
    }

    [Fact]
    public void The_rate_never_drops_below_the_minimum()
    {
        var estimator = Create(new BackpressureOptions { Enabled = true, MinRate = 300 });
        estimator.Compute(1000, 1000, 1000, 0);

        Assert.Equal(300, estimator.Compute(2000, 10, processingDelayMs: 10_000, schedulingDelayMs: 50_000)!.Value);
    }

    [Fact]
    public void Invalid_options_are_rejected_with_the_setting_names()
    {
        var error = Assert.Throws<ArgumentException>(() => new BackpressureOptions { MinRate = 0 }.Validate());

        Assert.Contains("MinRate", error.Message);
    }
}
