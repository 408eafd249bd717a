using Pipelines.Testing;

namespace Pipelines.Tests.Receivers;

public sealed class ReceiverTests
{
    [Fact]
    public async Task A_batch_at_t_holds_the_records_stored_in_the_interval_ending_at_t()
    {
        var clock = new ManualClock();
        await using var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock });
        var receiver = new ManualReceiver<int>();
        var collected = new Collector<int>(ssc.ReceiverStream(receiver));
        ssc.Start();

        receiver.Store(1);
        receiver.Store([2, 3]);
        var t1 = await ssc.StepAsync();
        var t2 = await ssc.StepAsync();
        receiver.Store(new ReadOnlySpan<int>([4, 5]));
        var t3 = await ssc.StepAsync();

        Assert.Equal([1, 2, 3], collected.At(t1));
        Assert.Empty(collected.At(t2));
        Assert.Equal([4, 5], collected.At(t3));
        Assert.Equal(1, receiver.Starts);
    }

    [Fact]
    public async Task A_receiver_knows_its_stream_id_and_state_and_its_token_is_cancelled_on_stop()
    {
        var clock = new ManualClock();
        var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock });
        _ = ssc.QueueStream([[0]]);
        var receiver = new ManualReceiver<int>();
        _ = new Collector<int>(ssc.ReceiverStream(receiver));
        Assert.True(receiver.IsStopped);

        ssc.Start();
        var token = receiver.StoppingToken;
        Assert.Equal(1, receiver.StreamId);
        Assert.True(receiver.IsStarted);
        Assert.False(token.IsCancellationRequested);

        await ssc.StopAsync().Guard("the stop");

        Assert.True(token.IsCancellationRequested);
        Assert.True(receiver.IsStopped);
        Assert.Equal(1, receiver.Stops);
        var error = Assert.Throws<InvalidOperationException>(() => receiver.Store(7));
        Assert.Contains("has stopped", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_receiver_instance_feeds_one_stream_only()
    {
        var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
        var receiver = new ManualReceiver<int>();
        _ = ssc.ReceiverStream(receiver);

        var error = Assert.Throws<InvalidOperationException>(() => ssc.ReceiverStream(receiver));

        Assert.Contains("new receiver instance", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => new ManualReceiver<int>().Store(1));
    }

    [Fact]
    public async Task A_receiver_whose_OnStart_throws_is_reported_and_restarted_and_the_stream_keeps_going()
    {
        var events = new ReceiverEvents();
        using var logs = new CapturingLoggerFactory();
        await using var ssc = new StreamingContext(
            TimeSpan.FromMilliseconds(50),
            new StreamingOptions { ReceiverRestartDelay = TimeSpan.FromMilliseconds(10), Listeners = [events], LoggerFactory = logs });
        var receiver = new FailingStartReceiver(failures: 2);
        var collected = new Collector<string>(ssc.ReceiverStream(receiver));
        ssc.Start();

        await collected.WaitForCountAsync(3);
        await events.WaitForAsync("started", 1);

        Assert.Equal(["r0", "r1", "r2"], collected.All.Order());
        Assert.Equal(3, receiver.Attempts);
        Assert.Equal(2, events.Errors.Count);
        Assert.All(events.Errors, e => Assert.IsType<InvalidOperationException>(e.Error));
        Assert.All(events.Errors, e => Assert.Contains("Error starting receiver FailingStartReceiver", e.Message, StringComparison.Ordinal));
        Assert.Single(events.Started);
        Assert.False(ssc.AwaitTerminationAsync().IsCompleted);
        var logged = logs.Entries.Where(e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error).ToList();
        Assert.Equal(2, logged.Count);
        Assert.All(logged, e => Assert.Contains("FailingStartReceiver of input stream #0 reported an error", e.Message, StringComparison.Ordinal));
        Assert.All(logged, e => Assert.Equal("cannot open the feed yet", e.Error?.Message));
    }

    [Fact]
    public async Task A_receiver_whose_worker_throws_is_restarted_and_keeps_what_it_stored()
    {
        var events = new ReceiverEvents();
        await using var ssc = new StreamingContext(
            TimeSpan.FromMilliseconds(50),
            new StreamingOptions { ReceiverRestartDelay = TimeSpan.FromMilliseconds(10), Listeners = [events] });
        var receiver = new FailingWorkerReceiver();
        var collected = new Collector<string>(ssc.ReceiverStream(receiver));
        ssc.Start();

        await collected.WaitForCountAsync(4);
        await events.WaitForAsync("started", 2);

        Assert.Equal(["run1-a", "run1-b", "run2-a", "run2-b"], collected.All.Order());
        var error = Assert.Single(events.Errors);
        Assert.Equal("worker failed on its first run", error.Error?.Message);
        Assert.Equal(0, error.StreamId);
        Assert.Equal(nameof(FailingWorkerReceiver), error.Name);
    }

    [Fact]
    public async Task A_start_is_announced_even_when_a_worker_fails_before_OnStart_returns()
    {
        var events = new ReceiverEvents();
        await using var ssc = new StreamingContext(
            TimeSpan.FromMilliseconds(50),
            new StreamingOptions { ReceiverRestartDelay = TimeSpan.FromMilliseconds(10), Listeners = [events] });
        var receiver = new FailingBeforeStartReturnsReceiver();
        var collected = new Collector<string>(ssc.ReceiverStream(receiver));
        ssc.Start();

        await collected.WaitForCountAsync(2);
        await events.WaitForAsync("started", 2);

        Assert.Equal(["run1", "run2"], collected.All.Order());
        Assert.Single(events.Errors);
    }

    [Fact]
    public async Task Stop_with_an_error_fails_AwaitTerminationAsync_with_a_ReceiverException()
    {
        var events = new ReceiverEvents();
        await using var ssc = new StreamingContext(TimeSpan.FromMilliseconds(50), new StreamingOptions { Listeners = [events] });
        var receiver = new GivingUpReceiver();
        _ = new Collector<int>(ssc.ReceiverStream(receiver));
        ssc.Start();

        var error = await Assert.ThrowsAsync<ReceiverException>(() => ssc.AwaitTerminationAsync().Guard("termination"));

        Assert.Equal("Receiver GivingUpReceiver of input stream #0 stopped: the feed is gone; check the feed", error.Message);
        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.Single(events.Errors);
        await events.WaitForAsync("stopped", 1);
        Assert.True(receiver.IsStopped);
    }

    [Fact]
    public async Task ReportError_tells_the_listeners_without_stopping_the_receiver()
    {
        var events = new ReceiverEvents();
        await using var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = new ManualClock(), Listeners = [events] });
        var receiver = new ManualReceiver<int>();
        _ = new Collector<int>(ssc.ReceiverStream(receiver));
        ssc.Start();

        receiver.ReportError("a record was malformed", new FormatException("bad"));

        var reported = Assert.Single(events.Errors);
        Assert.Equal("a record was malformed", reported.Message);
        Assert.IsType<FormatException>(reported.Error);
        Assert.True(receiver.IsStarted);
        Assert.Empty(events.Stopped);
    }

    [Fact]
    public async Task Restart_waits_the_restart_delay_on_the_context_clock()
    {
        var clock = new ManualClock();
        var events = new ReceiverEvents();
        await using var ssc = new StreamingContext(
            TimeSpan.FromSeconds(1),
            new StreamingOptions { TimeProvider = clock, ReceiverRestartDelay = TimeSpan.FromSeconds(2), Listeners = [events] });
        var receiver = new ManualReceiver<int>();
        _ = new Collector<int>(ssc.ReceiverStream(receiver));
        ssc.Start();

        receiver.Restart("the source asked for it");
        await events.WaitForAsync("stopped", 1);
        clock.Advance(TimeSpan.FromMilliseconds(1900));
        Assert.Equal(1, receiver.Starts);

        // The restart happens once the clock reaches 2 s after the stop; step in small increments until it does.
        var restarted = events.WaitForAsync("started", 2);
        for (var i = 0; i < 100 && !restarted.IsCompleted; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            await Task.WhenAny(restarted, Task.Delay(50));
        }

        await restarted;
        Assert.Equal(2, receiver.Starts);
        Assert.True(clock.GetUtcNow() >= DateTimeOffset.UnixEpoch + TimeSpan.FromSeconds(2));
        Assert.Empty(events.Errors);
    }

    [Fact]
    public async Task A_receiver_on_its_own_thread_stores_until_IsStopped_as_in_Spark()
    {
        var ssc = new StreamingContext(TimeSpan.FromMilliseconds(50));
        var receiver = new ThreadReceiver();
        var collected = new Collector<int>(ssc.ReceiverStream(receiver));
        ssc.Start();

        await collected.WaitForCountAsync(100);
        await ssc.StopAsync().Guard("the stop");
        await receiver.ThreadEnded.Task.Guard("the receiver's thread to see IsStopped");

        var all = collected.All;
        Assert.Equal(Enumerable.Range(0, all.Count), all.Order());
    }

    private sealed class ThreadReceiver : Receiver<int>
    {
        public TaskCompletionSource ThreadEnded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void OnStart() => new Thread(() =>
        {
            try
            {
                for (var i = 0; !IsStopped; i++)
                {
                    Store(i);
                    Thread.Yield();
                }
            }
            catch (InvalidOperationException)
            {
                // The context stopped between the check and the store.
            }
            finally
            {
                ThreadEnded.TrySetResult();
            }
        }) { IsBackground = true }.Start();

        public override void OnStop()
        {
        }
    }

    private sealed class FailingStartReceiver(int failures) : Receiver<string>
    {
        private int _attempts;

        public int Attempts => Volatile.Read(ref _attempts);

        public override void OnStart()
        {
            if (Interlocked.Increment(ref _attempts) <= failures)
            {
                throw new InvalidOperationException("cannot open the feed yet");
            }

            StartWorker(_ =>
            {
                Store(["r0", "r1", "r2"]);
                return Task.CompletedTask;
            });
        }

        public override void OnStop()
        {
        }
    }

    private sealed class FailingWorkerReceiver : Receiver<string>
    {
        private int _runs;

        public override void OnStart()
        {
            var run = Interlocked.Increment(ref _runs);
            StartWorker(async token =>
            {
                Store($"run{run}-a");
                Store($"run{run}-b");
                if (run == 1)
                {
                    throw new IOException("worker failed on its first run");
                }

                await Task.Delay(Timeout.Infinite, token);
            });
        }

        public override void OnStop()
        {
        }
    }

    /// <summary>Its first worker fails, and the restart begins, while OnStart is still running.</summary>
    private sealed class FailingBeforeStartReturnsReceiver : Receiver<string>
    {
        private int _runs;

        public override void OnStart()
        {
            var run = Interlocked.Increment(ref _runs);
            StartWorker(token =>
            {
                Store($"run{run}");
                return run == 1 ? throw new IOException("worker failed on its first run") : Task.Delay(Timeout.Infinite, token);
            });

            if (run == 1)
            {
                SpinWait.SpinUntil(() => IsStopped, TimeSpan.FromSeconds(30));
            }
        }

        public override void OnStop()
        {
        }
    }

    private sealed class GivingUpReceiver : Receiver<int>
    {
        public override void OnStart() => StartWorker(_ =>
        {
            Stop("the feed is gone; check the feed", new TimeoutException("no answer"));
            return Task.CompletedTask;
        });

        public override void OnStop()
        {
        }
    }
}
