using Pipelines.Testing;

namespace Pipelines.Tests.Receivers;

public sealed class StopTests
{
    [Fact]
    public async Task Graceful_stop_finishes_the_batch_in_flight_and_runs_all_its_outputs()
    {
        var clock = new ManualClock();
        await using var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock });
        var receiver = new ManualReceiver<string>();
        var lines = ssc.ReceiverStream(receiver);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstOutput = new List<string>();
        var secondOutput = new List<(BatchTime, int)>();
        lines.ForEachBatch(async (batch, _, _) =>
        {
            firstOutput.AddRange(batch);
            entered.TrySetResult();
            await release.Task;
        });
        lines.Count().ForEachBatch((batch, time) => secondOutput.Add((time, (int)batch[0])));
        ssc.Start();

        receiver.Store(["x", "y"]);
        clock.Advance(TimeSpan.FromSeconds(1));
        await entered.Task.Guard("the first output to start");
        var stopping = ssc.StopAsync(graceful: true);
        var stoppedEarly = stopping.IsCompleted;
        release.SetResult();
        await stopping.Guard("the graceful stop");

        Assert.False(stoppedEarly);
        Assert.Equal(["x", "y"], firstOutput);
        Assert.Equal([(new BatchTime(1000), 2)], secondOutput);
        Assert.Equal(StreamingContextState.Stopped, ssc.State);
        Assert.True(receiver.IsStopped);
        await ssc.AwaitTerminationAsync().Guard("termination");
    }

    [Fact]
    public async Task Graceful_stop_processes_records_stored_after_the_last_batch_was_cut()
    {
        var clock = new ManualClock();
        await using var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock });
        var receiver = new ManualReceiver<int>();
        var collected = new Collector<int>(ssc.ReceiverStream(receiver));
        ssc.Start();

        receiver.Store(1);
        var t1 = await ssc.StepAsync();
        receiver.Store([2, 3]);
        await ssc.StopAsync(graceful: true).Guard("the graceful stop");

        Assert.Equal([1], collected.At(t1));
        Assert.Equal([2, 3], collected.At(t1 + ssc.BatchInterval));
    }

    [Fact]
    public async Task Non_graceful_stop_drops_records_not_yet_in_a_batch()
    {
        var clock = new ManualClock();
        await using var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock });
        var receiver = new ManualReceiver<int>();
        var collected = new Collector<int>(ssc.ReceiverStream(receiver));
        ssc.Start();

        receiver.Store(1);
        await ssc.StopAsync(graceful: false).Guard("the stop");

        Assert.Empty(collected.All);
    }

    [Fact]
    public async Task Non_graceful_stop_cancels_an_output_that_waits_on_its_token_and_does_not_hang()
    {
        var clock = new ManualClock();
        await using var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock });
        var receiver = new BlockingWorkerReceiver();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = false;
        var laterOutputRan = false;
        var stream = ssc.ReceiverStream(receiver);
        stream.ForEachBatch(async (_, _, token) =>
        {
            entered.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, token);
            }
            catch (OperationCanceledException)
            {
                cancelled = true;
                throw;
            }
        });
        stream.ForEachBatch((_, _) => laterOutputRan = true);
        ssc.Start();

        clock.Advance(TimeSpan.FromSeconds(1));
        await entered.Task.Guard("the output to start");
        await ssc.StopAsync(graceful: false).Guard("the non-graceful stop");

        Assert.True(cancelled);
        Assert.False(laterOutputRan);
        Assert.True(receiver.WorkerSawStop);
        Assert.True(receiver.IsStopped);
    }

    [Fact]
    public async Task Stopping_the_context_waits_for_receiver_workers_to_end()
    {
        await using var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = new ManualClock() });
        var receiver = new BlockingWorkerReceiver();
        _ = new Collector<int>(ssc.ReceiverStream(receiver));
        ssc.Start();
        await receiver.WorkerStarted.Task.Guard("the worker to start");

        await ssc.StopAsync().Guard("the stop");

        Assert.True(receiver.WorkerSawStop);
    }

    [Fact]
    public async Task A_stop_while_OnStart_runs_calls_OnStop_only_after_OnStart_returned()
    {
        await using var ssc = new StreamingContext(
            TimeSpan.FromSeconds(1),
            new StreamingOptions { TimeProvider = new ManualClock(), ReceiverRestartDelay = TimeSpan.Zero });
        var receiver = new SlowSecondStartReceiver();
        _ = new Collector<int>(ssc.ReceiverStream(receiver));
        ssc.Start();
        await receiver.SecondStartEntered.Task.Guard("the restart to enter OnStart");

        var stopping = Task.Run(() => ssc.StopAsync());
        Assert.True(SpinWait.SpinUntil(() => receiver.IsStopped, ReceiverTestKit.HangGuard), "the stop did not begin");
        receiver.ReleaseSecondStart.Set();
        await stopping.Guard("the stop");

        Assert.Equal(["start 1 (throws)", "stop", "start 2", "start 2 returns", "stop"], receiver.Calls);
    }

    private sealed class SlowSecondStartReceiver : Receiver<int>
    {
        private readonly List<string> _calls = [];
        private int _starts;

        public TaskCompletionSource SecondStartEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ManualResetEventSlim ReleaseSecondStart { get; } = new();

        public IReadOnlyList<string> Calls
        {
            get
            {
                lock (_calls)
                {
                    return [.. _calls];
                }
            }
        }

        public override void OnStart()
        {
            if (Interlocked.Increment(ref _starts) == 1)
            {
                Record("start 1 (throws)");
                throw new InvalidOperationException("first start fails");
            }

            Record("start 2");
            SecondStartEntered.TrySetResult();
            ReleaseSecondStart.Wait(ReceiverTestKit.HangGuard);
            Record("start 2 returns");
        }

        public override void OnStop() => Record("stop");

        private void Record(string call)
        {
            lock (_calls)
            {
                _calls.Add(call);
            }
        }
    }

    private sealed class BlockingWorkerReceiver : Receiver<int>
    {
        private volatile bool _workerSawStop;

        public TaskCompletionSource WorkerStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool WorkerSawStop => _workerSawStop;

        public override void OnStart() => StartWorker(async token =>
        {
            WorkerStarted.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, token);
            }
            finally
            {
                _workerSawStop = true;
            }
        });

        public override void OnStop()
        {
        }
    }
}
