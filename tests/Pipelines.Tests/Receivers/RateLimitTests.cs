using Pipelines.Testing;

namespace Pipelines.Tests.Receivers;

public sealed class RateLimitTests
{
    [Fact]
    public async Task A_receiver_over_the_max_rate_is_held_to_it_and_loses_nothing()
    {
        const int Rate = 10;
        const int Total = 50;
        var clock = new ManualClock();
        await using var ssc = new StreamingContext(
            TimeSpan.FromSeconds(1),
            new StreamingOptions { TimeProvider = clock, Backpressure = new BackpressureOptions { MaxRatePerReceiver = Rate } });
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

        // A second of permits may be saved while the storer lags behind the clock, so one interval holds at most
        // two seconds' worth, plus the record whose wait began in the interval before.
        Assert.All(collected.BatchSizes(), size => Assert.InRange(size, 0, (2 * Rate) + 1));
        Assert.True(collected.BatchSizes().Count(size => size > 0) >= 3);
    }

    [Fact]
    public async Task Without_a_rate_limit_everything_stored_in_an_interval_lands_in_one_batch()
    {
        await using var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = new ManualClock() });
        var receiver = new ManualReceiver<int>();
        var collected = new Collector<int>(ssc.ReceiverStream(receiver));
        ssc.Start();

        receiver.Store(Enumerable.Range(0, 1000));
        var t1 = await ssc.StepAsync();

        Assert.Equal(1000, collected.At(t1).Count);
    }
}
