using Pipelines.Testing;

namespace Pipelines.Tests.Core;

public sealed class StreamingContextTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-1000)]
    public void A_non_positive_batch_interval_is_rejected(int milliseconds)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new StreamingContext(TimeSpan.FromMilliseconds(milliseconds)));

        Assert.Contains("batch interval must be positive", error.Message);
    }

    [Fact]
    public void A_batch_interval_with_a_fraction_of_a_millisecond_is_rejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new StreamingContext(TimeSpan.FromTicks(15_000)));

    [Fact]
    public async Task Starting_without_an_output_operation_says_what_to_register()
    {
        await using var context = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = new ManualClock() });
        context.QueueStream<int>([[1]]).Map(x => x);

        var error = Assert.Throws<InvalidOperationException>(context.Start);

        Assert.Contains("No output operations registered", error.Message);
        Assert.Contains("Print()", error.Message);
    }

    [Fact]
    public async Task Starting_twice_is_rejected()
    {
        await using var context = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = new ManualClock() });
        context.QueueStream<int>([[1]]).Print();
        context.Start();

        var error = Assert.Throws<InvalidOperationException>(context.Start);

        Assert.Contains("already been started", error.Message);
    }

    [Fact]
    public async Task Starting_after_stop_is_rejected()
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = new ManualClock() });
        context.QueueStream<int>([[1]]).Print();
        context.Start();
        await context.StopAsync();

        Assert.Equal(StreamingContextState.Stopped, context.State);
        Assert.Contains("cannot be restarted", Assert.Throws<InvalidOperationException>(context.Start).Message);
    }

    [Fact]
    public async Task Adding_operations_after_start_is_rejected()
    {
        await using var context = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = new ManualClock() });
        var stream = context.QueueStream<int>([[1]]);
        stream.Print();
        context.Start();

        Assert.Contains("Define every input", Assert.Throws<InvalidOperationException>(() => stream.Map(x => x)).Message);
        Assert.Throws<InvalidOperationException>(() => stream.Print());
        Assert.Throws<InvalidOperationException>(() => context.QueueStream<int>([[1]]));
    }

    [Fact]
    public void The_first_batch_is_at_zero_plus_interval_and_holds_the_first_input()
    {
        var times = new List<BatchTime>();
        using var run = StreamingTest.Start<int, int>([[7]], s =>
        {
            s.ForEachBatch((_, time) => times.Add(time));
            return s;
        }, TimeSpan.FromMilliseconds(500));

        var first = run.Step();
        run.Step();

        Assert.Equal(new BatchTime(500), first.Time);
        Assert.Equal([7], first.Records);
        Assert.Equal([new BatchTime(500), new BatchTime(1000)], times);
    }

    [Fact]
    public void Outputs_run_in_registration_order_one_batch_at_a_time()
    {
        var log = new List<string>();
        using var run = StreamingTest.Start<int, int>([[1], [2]], s =>
        {
            s.ForEachBatch((b, t) => log.Add($"first {t.Milliseconds} {b[0]}"));
            s.ForEachBatch(async (b, t, ct) =>
            {
                await Task.Yield();
                log.Add($"second {t.Milliseconds} {b[0]}");
            });
            return s;
        });

        run.Step();
        run.Step();

        Assert.Equal(["first 1000 1", "second 1000 1", "first 2000 2", "second 2000 2"], log);
    }

    [Fact]
    public void A_failing_batch_is_reported_and_the_next_batch_proceeds()
    {
        var listener = new RecordingListener();
        using var run = StreamingTest.Start<int, int>(
            [[1], [0], [2]],
            s => s.Map(x => 10 / x),
            options: new StreamingOptions { Listeners = [listener] });

        var first = run.Step();
        var failed = run.Step();
        var third = run.Step();

        Assert.Equal([10], first.Records);
        var error = Assert.IsType<StreamingOperatorException>(failed.Failure);
        Assert.Equal("Map", error.OperatorName);
        Assert.Equal(new BatchTime(2000), error.BatchTime);
        Assert.IsType<DivideByZeroException>(error.InnerException);
        Assert.Equal([5], third.Records);
        Assert.Null(third.Failure);
        Assert.Contains(listener.Completed, b => b.BatchTime == new BatchTime(2000) && b.Failure is not null);
    }

    [Fact]
    public async Task AwaitTermination_throws_the_first_batch_failure()
    {
        var clock = new ManualClock();
        await using var context = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock });
        context.QueueStream<int>([[0]]).Map(x => 1 / x).Print();
        context.Start();
        clock.Advance(TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<StreamingOperatorException>(() => context.AwaitTerminationAsync().WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal("Map", error.OperatorName);
    }

    [Fact]
    public async Task AwaitTermination_completes_when_the_context_stops()
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = new ManualClock() });
        context.QueueStream<int>([[1]]).Print();
        context.Start();
        var waiting = context.AwaitTerminationAsync();
        Assert.False(waiting.IsCompleted);

        await context.StopAsync();

        await waiting.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Listeners_see_each_batch_with_its_input_size_and_delays()
    {
        var listener = new RecordingListener();
        using var run = StreamingTest.Start<int, int>([[1, 2, 3], []], s => s, options: new StreamingOptions { Listeners = [listener] });

        run.Step();
        run.Step();

        Assert.Equal([new BatchTime(1000), new BatchTime(2000)], listener.Submitted.Select(b => b.BatchTime));
        Assert.Equal([3L, 0L], listener.Completed.Select(b => b.NumRecords));
        Assert.All(listener.Completed, b => Assert.Equal(TimeSpan.Zero, b.TotalDelay));
        Assert.Equal(2, listener.OutputsCompleted);
    }

    [Fact]
    public void Listeners_see_how_many_records_each_input_contributed()
    {
        var listener = new RecordingListener();
        using var run = StreamingTest.Start<int, int, int>(
            [[1, 2, 3], [4]],
            [[10], [20, 30, 40, 50]],
            (a, b) => a.Union(b),
            options: new StreamingOptions { Listeners = [listener] });

        run.Step();
        run.Step();

        var inputs = run.Context.DescribeInputs().Select(i => i.InputId).ToArray();
        Assert.Equal(2, inputs.Length);
        Assert.Equal([3L, 1L], listener.Completed.Select(b => b.InputRecords[inputs[0]]));
        Assert.Equal([1L, 4L], listener.Completed.Select(b => b.InputRecords[inputs[1]]));
        Assert.All(listener.Completed, b => Assert.Equal(b.NumRecords, b.InputRecords.Values.Sum()));
    }

    [Fact]
    public void A_listener_that_throws_does_not_stop_the_stream()
    {
        using var run = StreamingTest.Start<int, int>([[1], [2]], s => s, options: new StreamingOptions { Listeners = [new ThrowingListener()] });

        Assert.Equal([1], run.Step().Records);
        Assert.Equal([2], run.Step().Records);
    }

    [Fact]
    public void Remember_rejects_a_non_positive_duration()
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1));

        Assert.Throws<ArgumentOutOfRangeException>(() => context.Remember(TimeSpan.Zero));
    }

    [Fact]
    public void QueueStream_takes_all_queued_collections_when_not_one_at_a_time()
    {
        using var run = new StreamingTestRunOver<int>(context => context.QueueStream<int>([[1], [2, 3]], oneAtATime: false, defaultBatch: [9]));

        Assert.Equal([1, 2, 3], run.Step().Records);
        Assert.Equal([9], run.Step().Records);
    }

    [Fact]
    public void QueueStream_uses_the_default_batch_once_the_queue_is_empty()
    {
        using var run = new StreamingTestRunOver<int>(context => context.QueueStream<int>([[1]], oneAtATime: true, defaultBatch: [0]));

        Assert.Equal([1], run.Step().Records);
        Assert.Equal([0], run.Step().Records);
    }

    [Fact]
    public void Records_enqueued_while_running_appear_in_a_later_batch()
    {
        var queue = new System.Collections.Concurrent.ConcurrentQueue<IEnumerable<int>>();
        using var run = new StreamingTestRunOver<int>(context => context.QueueStream(queue));

        Assert.Empty(run.Step().Records);
        queue.Enqueue([4, 5]);
        Assert.Equal([4, 5], run.Step().Records);
    }

    /// <summary>A run over a stream the test builds directly from the context.</summary>
    private sealed class StreamingTestRunOver<T> : IDisposable
    {
        private readonly ManualClock _clock = new();
        private readonly StreamingContext _context;
        private readonly List<T[]> _batches = [];

        public StreamingTestRunOver(Func<StreamingContext, DStream<T>> build)
        {
            _context = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = _clock });
            build(_context).ForEachBatch((b, _) => _batches.Add(b.ToArray()));
            _context.Start();
        }

        public (IReadOnlyList<T> Records, int Count) Step()
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            var time = BatchTime.FromDateTimeOffset(_clock.GetUtcNow());
            Assert.True(_context.Scheduler!.WhenCompletedAsync(time).Wait(TimeSpan.FromSeconds(30)));
            return (_batches[^1], _batches.Count);
        }

        public void Dispose() => _context.StopAsync(graceful: false).Wait(TimeSpan.FromSeconds(30));
    }

    private sealed class ThrowingListener : IStreamingListener
    {
        public void OnBatchCompleted(BatchInfo batch) => throw new InvalidOperationException("listener bug");
    }
}

internal sealed class RecordingListener : IStreamingListener
{
    public List<BatchInfo> Submitted { get; } = [];

    public List<BatchInfo> Completed { get; } = [];

    public int OutputsCompleted { get; private set; }

    public void OnBatchSubmitted(BatchInfo batch)
    {
        lock (this)
        {
            Submitted.Add(batch);
        }
    }

    public void OnBatchCompleted(BatchInfo batch)
    {
        lock (this)
        {
            Completed.Add(batch);
        }
    }

    public void OnOutputOperationCompleted(OutputOperationInfo output)
    {
        lock (this)
        {
            OutputsCompleted++;
        }
    }
}
