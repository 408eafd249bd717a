using Pipelines.Testing;
using Pipelines.Tests.Receivers;

namespace Pipelines.Tests.Hardening;

/// <summary>Issue 10, item 8: stops that always finish, whoever calls them and whatever the outputs do.</summary>
public sealed class StopAsyncTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task StopAsync_called_from_inside_an_output_does_not_deadlock(bool graceful)
    {
        var clock = new ManualClock();

        // A long stop timeout: the stop must not end by giving up on the output that called it.
        await using var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock, StopTimeout = TimeSpan.FromMinutes(5) });
        var receiver = new ManualReceiver<string>();
        var seen = new List<string>();
        ssc.ReceiverStream(receiver).ForEachBatch(async (batch, _, _) =>
        {
            seen.AddRange(batch);
            if (batch.Contains("stop"))
            {
                await ssc.StopAsync(graceful);
                seen.Add("after StopAsync");
            }
        });
        ssc.Start();

        receiver.Store(["a", "stop"]);
        clock.Advance(TimeSpan.FromSeconds(1));
        await ssc.AwaitTerminationAsync().Guard("termination after a stop from inside the output");
        await ssc.StopAsync().Guard("a second stop");

        Assert.Equal(["a", "stop", "after StopAsync"], seen);
        Assert.Equal(StreamingContextState.Stopped, ssc.State);
    }

    [Fact]
    public async Task Concurrent_StopAsync_calls_all_complete_only_once_the_context_has_stopped()
    {
        var clock = new ManualClock();
        await using var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock });
        var receiver = new ManualReceiver<string>();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = false;
        ssc.ReceiverStream(receiver).ForEachBatch(async (_, _, _) =>
        {
            entered.TrySetResult();
            await release.Task;
            finished = true;
        });
        ssc.Start();
        receiver.Store("x");
        clock.Advance(TimeSpan.FromSeconds(1));
        await entered.Task.Guard("the output to start");

        var first = ssc.StopAsync(graceful: true);
        var second = ssc.StopAsync(graceful: true);
        var third = ssc.StopAsync(graceful: false);
        var anyDoneEarly = first.IsCompleted || second.IsCompleted || third.IsCompleted;
        release.SetResult();
        await Task.WhenAll(first, second, third).Guard("every stop");

        Assert.False(anyDoneEarly);
        Assert.True(finished);
    }

    [Fact]
    public async Task A_graceful_stop_gives_up_on_an_output_that_never_returns_after_StopTimeout()
    {
        var clock = new ManualClock();
        var options = new StreamingOptions { TimeProvider = clock, StopTimeout = TimeSpan.FromMilliseconds(200) };
        await using var ssc = new StreamingContext(TimeSpan.FromSeconds(1), options);
        var receiver = new ManualReceiver<string>();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource();
        var cancelled = false;
        ssc.ReceiverStream(receiver).ForEachBatch(async (_, _, token) =>
        {
            using var registration = token.Register(() => cancelled = true);
            entered.TrySetResult();
            await never.Task; // ignores cancellation
        });
        ssc.Start();
        receiver.Store("x");
        clock.Advance(TimeSpan.FromSeconds(1));
        await entered.Task.Guard("the output to start");

        await ssc.StopAsync(graceful: true).Guard("the graceful stop");
        await ssc.AwaitTerminationAsync().Guard("termination");

        Assert.True(cancelled, "the batch in flight was not told to cancel once the graceful stop timed out");
        Assert.Equal(StreamingContextState.Stopped, ssc.State);
    }
}
