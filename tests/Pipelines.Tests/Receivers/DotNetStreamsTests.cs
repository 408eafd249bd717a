using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Pipelines.Testing;

namespace Pipelines.Tests.Receivers;

/// <summary>Issue 17: .NET-native sources (IAsyncEnumerable, channels, observables) on the Receiver API.</summary>
public sealed class DotNetStreamsTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task AsyncEnumerableStream_stores_every_item_once_and_its_end_stops_the_receiver_without_an_error()
    {
        var events = new ReceiverEvents();
        await using var ssc = new StreamingContext(Interval, new StreamingOptions { TimeProvider = new ManualClock(), Listeners = [events] });
        var collected = new Collector<int>(ssc.AsyncEnumerableStream(Numbers(1, 5)));
        ssc.Start();

        await events.WaitForAsync("stopped", 1).Guard("the sequence to end");
        var t1 = await ssc.StepAsync();
        var t2 = await ssc.StepAsync();

        Assert.Equal([1, 2, 3, 4, 5], collected.At(t1));
        Assert.Empty(collected.At(t2));
        Assert.Empty(events.Errors);
        await ssc.StopAsync().Guard("the stop");
        await ssc.AwaitTerminationAsync().Guard("termination without an error");
    }

    [Fact]
    public async Task AsyncEnumerableStream_that_throws_stops_with_a_ReceiverException_and_keeps_what_it_stored()
    {
        var events = new ReceiverEvents();
        await using var ssc = new StreamingContext(Interval, new StreamingOptions { TimeProvider = new ManualClock(), Listeners = [events] });
        var collected = new Collector<int>(ssc.AsyncEnumerableStream(ThrowingAfter(3)));
        ssc.Start();

        var error = await Assert.ThrowsAsync<ReceiverException>(() => ssc.AwaitTerminationAsync().Guard("the error"));
        var t1 = await ssc.StepAsync();

        Assert.IsType<FormatException>(error.InnerException);
        Assert.Contains("AsyncEnumerableStream", error.Message + error.InnerException!.Message + events.Errors.Single().Message, StringComparison.Ordinal);
        Assert.Equal([0, 1, 2], collected.At(t1));
    }

    [Fact]
    public async Task AsyncEnumerableStream_pulls_the_next_item_only_after_the_rate_limit_let_the_previous_one_in()
    {
        var clock = new ManualClock();
        await using var ssc = new StreamingContext(
            Interval,
            new StreamingOptions { TimeProvider = clock, Backpressure = new BackpressureOptions { MaxRatePerReceiver = 2 } });
        var pulled = new StrongBox<int>();
        var collected = new Collector<int>(ssc.AsyncEnumerableStream(Counting(pulled, 100)));
        ssc.Start();
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref pulled.Value) >= 1, TimeSpan.FromSeconds(30)), "the receiver never pulled an item");

        // Nothing runs ahead of the limiter: with the clock stopped, the sequence is pulled a few items (the burst) only.
        for (var step = 0; step < 3; step++)
        {
            await ssc.StepAsync();
        }

        var pulledAfterThreeSeconds = Volatile.Read(ref pulled.Value);
        Assert.InRange(pulledAfterThreeSeconds, 1, 3 * 2 * 2 + 2);
        Assert.True(collected.All.Count <= pulledAfterThreeSeconds);
        Assert.Equal(Enumerable.Range(0, collected.All.Count), collected.All);
    }

    [Fact]
    public async Task AsyncEnumerableStream_cancels_the_enumeration_when_the_context_stops()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ssc = new StreamingContext(Interval, new StreamingOptions { TimeProvider = new ManualClock() });
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = new Collector<int>(ssc.AsyncEnumerableStream(Endless(started, cancelled)));
        ssc.Start();
        await started.Task.Guard("the enumeration to start");

        await ssc.StopAsync().Guard("the stop");

        await cancelled.Task.Guard("the enumeration to see the cancellation");
    }

    [Fact]
    public async Task ChannelStream_reads_what_writers_write_and_completing_the_channel_stops_the_receiver()
    {
        var events = new ReceiverEvents();
        await using var ssc = new StreamingContext(Interval, new StreamingOptions { TimeProvider = new ManualClock(), Listeners = [events] });
        var channel = Channel.CreateBounded<string>(2);
        var collected = new Collector<string>(ssc.ChannelStream(channel.Reader));
        ssc.Start();

        // A bounded channel of two: the writer waits until the receiver has read, so all five get through in order.
        foreach (var word in new[] { "a", "b", "c", "d", "e" })
        {
            await channel.Writer.WriteAsync(word).AsTask().Guard("room in the channel");
        }

        channel.Writer.Complete();
        await events.WaitForAsync("stopped", 1).Guard("the channel's completion");
        var t1 = await ssc.StepAsync();

        Assert.Equal(["a", "b", "c", "d", "e"], collected.At(t1));
        Assert.Empty(events.Errors);
    }

    [Fact]
    public async Task ChannelStream_completed_with_an_error_stops_with_a_ReceiverException()
    {
        await using var ssc = new StreamingContext(Interval, new StreamingOptions { TimeProvider = new ManualClock() });
        var channel = Channel.CreateUnbounded<int>();
        _ = new Collector<int>(ssc.ChannelStream(channel.Reader));
        ssc.Start();

        channel.Writer.Complete(new TimeoutException("upstream gone"));

        var error = await Assert.ThrowsAsync<ReceiverException>(() => ssc.AwaitTerminationAsync().Guard("the error"));
        Assert.Equal("upstream gone", error.InnerException!.Message);
    }

    [Fact]
    public async Task ObservableStream_subscribes_on_start_stores_each_value_and_unsubscribes_on_stop()
    {
        var events = new ReceiverEvents();
        var ssc = new StreamingContext(Interval, new StreamingOptions { TimeProvider = new ManualClock(), Listeners = [events] });
        var source = new TestObservable<int>();
        var collected = new Collector<int>(ssc.ObservableStream(source));
        Assert.Equal(0, source.Subscribers);
        ssc.Start();
        await events.WaitForAsync("started", 1).Guard("the receiver to start");

        Assert.Equal(1, source.Subscribers);
        source.Push(1);
        source.Push(2);
        var t1 = await ssc.StepAsync();
        source.Push(3);
        var t2 = await ssc.StepAsync();
        await ssc.StopAsync().Guard("the stop");

        Assert.Equal([1, 2], collected.At(t1));
        Assert.Equal([3], collected.At(t2));
        Assert.Equal(0, source.Subscribers);
        source.Push(4); // after the stop: not accepted, and no exception reaches the producer
    }

    [Fact]
    public async Task ObservableStream_OnError_stops_with_a_ReceiverException_and_OnCompleted_stops_quietly()
    {
        var events = new ReceiverEvents();
        await using var ssc = new StreamingContext(Interval, new StreamingOptions { TimeProvider = new ManualClock(), Listeners = [events] });
        var failing = new TestObservable<int>();
        var completing = new TestObservable<int>();
        _ = new Collector<int>(ssc.ObservableStream(failing));
        var completed = new Collector<int>(ssc.ObservableStream(completing));
        ssc.Start();
        await events.WaitForAsync("started", 2).Guard("the receivers to start");

        completing.Push(9);
        completing.Complete();
        failing.Fail(new IOException("feed broke"));

        var error = await Assert.ThrowsAsync<ReceiverException>(() => ssc.AwaitTerminationAsync().Guard("the error"));
        Assert.Equal("feed broke", error.InnerException!.Message);
        await events.WaitForAsync("stopped", 2).Guard("both receivers to stop");
        var t1 = await ssc.StepAsync();
        Assert.Equal([9], completed.At(t1));
    }

    [Fact]
    public async Task ToAsyncEnumerable_hands_out_each_batch_in_order_and_a_slow_consumer_holds_the_batches_back_instead_of_losing_them()
    {
        var clock = new ManualClock();
        var ssc = new StreamingContext(Interval, new StreamingOptions { TimeProvider = clock });
        var receiver = new ManualReceiver<int>();
        var batches = ssc.ReceiverStream(receiver).Map(n => n * 10).ToAsyncEnumerable(capacity: 1);
        ssc.Start();

        // Batch 1 fills the one slot; batch 2's output waits for room; batch 3 waits in the queue behind it.
        receiver.Store(1);
        await ssc.StepAsync();
        receiver.Store(2);
        clock.Advance(Interval);
        receiver.Store(3);
        clock.Advance(Interval);
        await WaitUntilAsync(() => ssc.QueuedBatches == 1, "batch 3 to queue behind the blocked batch 2");

        var seen = new List<StreamBatch<int>>();
        await foreach (var batch in batches)
        {
            seen.Add(batch);
            if (seen.Count == 3)
            {
                break;
            }
        }

        Assert.Equal([[10], [20], [30]], seen.Select(b => b.Records.ToArray()));
        Assert.Equal([1000L, 2000L, 3000L], seen.Select(b => b.Time.Milliseconds));
        await ssc.StopAsync().Guard("the stop");
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var _ in batches)
            {
            }
        });
    }

    [Fact]
    public async Task ToAsyncEnumerable_ends_when_the_context_stops()
    {
        var ssc = new StreamingContext(Interval, new StreamingOptions { TimeProvider = new ManualClock() });
        var receiver = new ManualReceiver<int>();
        var batches = ssc.ReceiverStream(receiver).ToAsyncEnumerable();
        ssc.Start();
        receiver.Store(7);
        await ssc.StepAsync();

        var reading = Task.Run(async () =>
        {
            var all = new List<int>();
            await foreach (var batch in batches)
            {
                all.AddRange(batch.Records);
            }

            return all;
        });
        await ssc.StopAsync().Guard("the stop");

        Assert.Equal([7], await reading.Guard("the sequence to end"));
    }

    [Fact]
    public async Task ToObservable_pushes_each_batch_to_its_subscribers_and_completes_when_the_context_stops()
    {
        var ssc = new StreamingContext(Interval, new StreamingOptions { TimeProvider = new ManualClock() });
        var receiver = new ManualReceiver<string>();
        var observable = ssc.ReceiverStream(receiver).ToObservable();
        var first = new RecordingObserver<StreamBatch<string>>();
        var second = new RecordingObserver<StreamBatch<string>>();
        using var firstSubscription = observable.Subscribe(first);
        ssc.Start();

        receiver.Store("a");
        var t1 = await ssc.StepAsync();
        var secondSubscription = observable.Subscribe(second);
        receiver.Store("b");
        var t2 = await ssc.StepAsync();
        secondSubscription.Dispose();
        receiver.Store("c");
        var t3 = await ssc.StepAsync();
        await ssc.StopAsync().Guard("the stop");
        await first.Done.Guard("the completion");

        Assert.Equal([(t1, "a"), (t2, "b"), (t3, "c")], first.Values.Select(b => (b.Time, string.Concat(b.Records))));
        Assert.Equal([(t2, "b")], second.Values.Select(b => (b.Time, string.Concat(b.Records))));
        Assert.True(first.Completed);
    }

    [Fact]
    public async Task A_subscriber_that_throws_fails_the_batch_like_any_output()
    {
        var ssc = new StreamingContext(Interval, new StreamingOptions { TimeProvider = new ManualClock() });
        var receiver = new ManualReceiver<int>();
        var observable = ssc.ReceiverStream(receiver).ToObservable();
        var observer = new RecordingObserver<StreamBatch<int>> { Throw = new InvalidDataException("bad subscriber") };
        using var subscription = observable.Subscribe(observer);
        ssc.Start();

        receiver.Store(1);
        await ssc.StepAsync();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ssc.AwaitTerminationAsync().Guard("the failure"));
        Assert.Contains("bad subscriber", error.ToString(), StringComparison.Ordinal);
        await ssc.StopAsync().Guard("the stop");
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var guard = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (guard.Elapsed > ReceiverTestKit.HangGuard)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            await Task.Delay(10);
        }
    }

    private static async IAsyncEnumerable<int> Numbers(int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            await Task.Yield();
            yield return i;
        }
    }

    private static async IAsyncEnumerable<int> ThrowingAfter(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return i;
        }

        throw new FormatException("record 3 is malformed");
    }

    private static async IAsyncEnumerable<int> Counting(StrongBox<int> pulled, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            Interlocked.Increment(ref pulled.Value);
            yield return i;
        }
    }

    private static async IAsyncEnumerable<int> Endless(TaskCompletionSource started, TaskCompletionSource cancelled, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        started.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        finally
        {
            if (cancellationToken.IsCancellationRequested)
            {
                cancelled.TrySetResult();
            }
        }

        yield break;
    }

    private sealed class TestObservable<T> : IObservable<T>
    {
        private readonly List<IObserver<T>> _observers = [];

        public int Subscribers
        {
            get
            {
                lock (_observers)
                {
                    return _observers.Count;
                }
            }
        }

        public IDisposable Subscribe(IObserver<T> observer)
        {
            lock (_observers)
            {
                _observers.Add(observer);
            }

            return new Unsubscriber(this, observer);
        }

        public void Push(T value) => ForEach(o => o.OnNext(value));

        public void Complete() => ForEach(o => o.OnCompleted());

        public void Fail(Exception error) => ForEach(o => o.OnError(error));

        private void ForEach(Action<IObserver<T>> action)
        {
            IObserver<T>[] observers;
            lock (_observers)
            {
                observers = [.. _observers];
            }

            foreach (var observer in observers)
            {
                action(observer);
            }
        }

        private sealed class Unsubscriber(TestObservable<T> source, IObserver<T> observer) : IDisposable
        {
            public void Dispose()
            {
                lock (source._observers)
                {
                    source._observers.Remove(observer);
                }
            }
        }
    }

    private sealed class RecordingObserver<T> : IObserver<T>
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<T> _values = [];

        public Exception? Throw { get; init; }

        public Task Done => _done.Task;

        public bool Completed { get; private set; }

        public IReadOnlyList<T> Values
        {
            get
            {
                lock (_values)
                {
                    return [.. _values];
                }
            }
        }

        public void OnNext(T value)
        {
            if (Throw is not null)
            {
                throw Throw;
            }

            lock (_values)
            {
                _values.Add(value);
            }
        }

        public void OnError(Exception error) => _done.TrySetException(error);

        public void OnCompleted()
        {
            Completed = true;
            _done.TrySetResult();
        }
    }
}
