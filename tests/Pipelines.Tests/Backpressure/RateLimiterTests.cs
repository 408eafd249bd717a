using Pipelines.Backpressure;
using Pipelines.Testing;

namespace Pipelines.Tests.Backpressure;

public sealed class RateLimiterTests
{
    [Fact]
    public void Without_a_rate_nothing_waits()
    {
        var limiter = new RateLimiter(new ManualClock(), rate: null);

        Assert.Equal(TimeSpan.Zero, limiter.Reserve(1_000_000));
    }

    [Fact]
    public void Permits_beyond_the_rate_make_the_next_caller_wait()
    {
        var clock = new ManualClock();
        var limiter = new RateLimiter(clock, rate: 10);

        Assert.Equal(TimeSpan.Zero, limiter.Reserve(5));
        Assert.Equal(TimeSpan.FromSeconds(0.5), limiter.Reserve(1));
        Assert.Equal(TimeSpan.FromSeconds(0.6), limiter.Reserve(1));
    }

    [Fact]
    public void Idle_time_saves_at_most_one_second_of_permits()
    {
        var clock = new ManualClock();
        var limiter = new RateLimiter(clock, rate: 10);
        limiter.Reserve(1);
        clock.Advance(TimeSpan.FromSeconds(5));

        // 10 saved permits serve the first 10 at once; the 11th, 12th... pay for themselves.
        Assert.Equal(TimeSpan.Zero, limiter.Reserve(12));
        Assert.Equal(TimeSpan.FromSeconds(0.2), limiter.Reserve(1));
    }

    [Fact]
    public void A_lower_rate_applies_to_later_reservations()
    {
        var clock = new ManualClock();
        var limiter = new RateLimiter(clock, rate: 100);
        limiter.SetRate(2);

        limiter.Reserve(2);
        Assert.Equal(TimeSpan.FromSeconds(1), limiter.Reserve(1));
        Assert.Equal(2, limiter.Rate);
        Assert.Throws<ArgumentOutOfRangeException>(() => limiter.SetRate(0));
    }
}
