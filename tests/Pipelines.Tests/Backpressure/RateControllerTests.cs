using Pipelines.Backpressure;
using Pipelines.Testing;

namespace Pipelines.Tests.Backpressure;

public sealed class RateControllerTests
{
    private static BatchInfo Batch(long ms, long records, double processingMs, double schedulingMs)
    {
        var submitted = DateTimeOffset.FromUnixTimeMilliseconds(ms);
        var start = submitted.AddMilliseconds(schedulingMs);
        return new BatchInfo(new BatchTime(ms), records, submitted, start, start.AddMilliseconds(processingMs));
    }

    [Fact]
    public void Limiters_start_at_the_initial_rate_capped_by_the_maximum()
    {
        var controller = new RateController(new ManualClock(), TimeSpan.FromSeconds(1), new BackpressureOptions { Enabled = true, InitialRate = 500, MaxRatePerReceiver = 200 });

        Assert.Equal(200, controller.CreateLimiter().Rate);
    }

    [Fact]
    public void Without_backpressure_only_the_maximum_applies_and_batches_change_nothing()
    {
        var controller = new RateController(new ManualClock(), TimeSpan.FromSeconds(1), new BackpressureOptions { MaxRatePerReceiver = 50 });
        var limiter = controller.CreateLimiter();

        controller.OnBatchCompleted(Batch(1000, 1000, 1000, 0));
        controller.OnBatchCompleted(Batch(2000, 1000, 4000, 3000));

        Assert.Equal(50, limiter.Rate);
    }

    [Fact]
    public void Slow_batches_lower_every_receivers_rate_to_its_share()
    {
        var controller = new RateController(new ManualClock(), TimeSpan.FromSeconds(1), new BackpressureOptions { Enabled = true, MinRate = 10 });
        var first = controller.CreateLimiter();
        var second = controller.CreateLimiter();

        controller.OnBatchCompleted(Batch(1000, 1000, processingMs: 1000, schedulingMs: 0));
        controller.OnBatchCompleted(Batch(2000, 1000, processingMs: 2000, schedulingMs: 1000));

        // The estimate is 400 records/s (see PidRateEstimatorTests), shared by two receivers.
        Assert.Equal(200, first.Rate, precision: 6);
        Assert.Equal(200, second.Rate, precision: 6);
    }
}
