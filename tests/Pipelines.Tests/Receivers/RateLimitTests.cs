using Pipelines.Receivers;
using Pipelines.Testing;

namespace Pipelines.Tests.Receivers;

public sealed class RateLimitTests
{
    [Fact]
    public void Each_permit_takes_the_next_free_slot_of_one_over_the_rate()
    {
        var clock = new ManualClock();
        var limiter = new RateLimiter(10, clock);

        Assert.Equal(TimeSpan.Zero, limiter.Reserve(1));
        Assert.Equal(TimeSpan.FromMilliseconds(100), limiter.Reserve(1));
        Assert.Equal(TimeSpan.FromMilliseconds(200), limiter.Reserve(3));
        Assert.Equal(TimeSpan.FromMilliseconds(500), limiter.Reserve(1));

        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.Zero, limiter.Reserve(1));
        Assert.Equal(TimeSpan.FromMilliseconds(100), limiter.Reserve(1));
    }

    [Fact]
    public void The_rate_must_be_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StreamingOptions { ReceiverMaxRate = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new StreamingOptions { ReceiverMaxRate = -5 });
        Assert.Null(new StreamingOptions().ReceiverMaxRate);
    }

    [Fact]
    public async Task A_receiver_over_the_max_rate_is_held_to_it_and_loses_nothing()
    {
        const int Rate = 10;
        const int Total = 35;
        var clock = new ManualClock();
        await using var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock, ReceiverMaxRate = Rate });
        var receiver = new ManualReceiver<int>();
        var collected = new Collector<int>(ssc.ReceiverStream(receiver));
        ssc.Start();

        using var progress = new SemaphoreSlim(0);
        var storer = Task.Run(() =>
        {
            for (var i = 0; i < Total; i++)
            {
                receiver.Store(i);
                progress.Release();
            }
        });

        // Step the clock; after each step give the storer (held by the limiter on this clock) a chance to go on.
        for (var step = 0; step < 200 && collected.All.Count < Total; step++)
        {
            await ssc.StepAsync();
            await progress.WaitAsync(TimeSpan.FromSeconds(2));
        }

        await storer.Guard("the storer");
        Assert.Equal(Enumerable.Range(0, Total), collected.All.Order());

        // In any one-second interval at most Rate records get their slot, plus the one whose slot began earlier.
        Assert.All(collected.BatchSizes(), size => Assert.InRange(size, 0, Rate + 1));
        Assert.True(collected.BatchSizes().Count(size => size > 0) >= Total / (Rate + 1));
    }
}
