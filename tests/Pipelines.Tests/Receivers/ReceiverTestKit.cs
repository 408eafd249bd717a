using System.Collections.Concurrent;
using Pipelines.Testing;

namespace Pipelines.Tests.Receivers;

/// <summary>Waiting helpers for tests with receivers: every wait has a generous hang guard.</summary>
internal static class ReceiverTestKit
{
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    public static async Task<T> Guard<T>(this Task<T> task, string what)
    {
        try
        {
            return await task.WaitAsync(HangGuard);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {HangGuard} waiting for {what}.");
        }
    }

    public static async Task Guard(this Task task, string what)
    {
        try
        {
            await task.WaitAsync(HangGuard);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {HangGuard} waiting for {what}.");
        }
    }

    /// <summary>Advances a manual clock by one interval and waits until that batch finished.</summary>
    public static async Task<BatchTime> StepAsync(this StreamingContext context)
    {
        var clock = (ManualClock)context.TimeProvider;
        clock.Advance(context.BatchInterval);
        var time = BatchTime.FromDateTimeOffset(clock.GetUtcNow());
        await context.Scheduler!.WhenCompletedAsync(time).Guard($"the batch at {time}");
        return time;
    }
}

/// <summary>Collects every record a stream produces, per batch time, and lets a test wait for a count.</summary>
internal sealed class Collector<T>
{
    private readonly object _gate = new();
    private readonly List<T> _all = [];
    private readonly Dictionary<BatchTime, T[]> _byTime = [];
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];

    public Collector(DStream<T> stream) => stream.ForEachBatch((batch, time) =>
    {
        lock (_gate)
        {
            _all.AddRange(batch);
            _byTime[time] = batch.ToArray();
            foreach (var (count, done) in _waiters)
            {
                if (_all.Count >= count)
                {
                    done.TrySetResult();
                }
            }
        }
    });

    public IReadOnlyList<T> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _all];
            }
        }
    }

    public IReadOnlyList<T> At(BatchTime time)
    {
        lock (_gate)
        {
            return _byTime.TryGetValue(time, out var records) ? records : [];
        }
    }

    public IReadOnlyList<int> BatchSizes()
    {
        lock (_gate)
        {
            return [.. _byTime.OrderBy(p => p.Key).Select(p => p.Value.Length)];
        }
    }

    public Task WaitForCountAsync(int count)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_all.Count >= count)
            {
                return Task.CompletedTask;
            }

            _waiters.Add((count, done));
        }

        return done.Task.Guard($"{count} records (have {All.Count})");
    }
}

/// <summary>Records receiver events and lets a test wait for them.</summary>
internal sealed class ReceiverEvents : IStreamingListener
{
    private readonly ConcurrentQueue<(string Kind, ReceiverInfo Info)> _events = new();
    private readonly object _gate = new();
    private readonly List<(string Kind, int Count, TaskCompletionSource Done)> _waiters = [];

    public IReadOnlyList<ReceiverInfo> Started => Of("started");

    public IReadOnlyList<ReceiverInfo> Errors => Of("error");

    public IReadOnlyList<ReceiverInfo> Stopped => Of("stopped");

    public void OnReceiverStarted(ReceiverInfo receiver) => Add("started", receiver);

    public void OnReceiverError(ReceiverInfo receiver) => Add("error", receiver);

    public void OnReceiverStopped(ReceiverInfo receiver) => Add("stopped", receiver);

    public Task WaitForAsync(string kind, int count)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (Of(kind).Count >= count)
            {
                return Task.CompletedTask;
            }

            _waiters.Add((kind, count, done));
        }

        return done.Task.Guard($"{count} receiver '{kind}' event(s)");
    }

    private IReadOnlyList<ReceiverInfo> Of(string kind) => [.. _events.Where(e => e.Kind == kind).Select(e => e.Info)];

    private void Add(string kind, ReceiverInfo info)
    {
        lock (_gate)
        {
            _events.Enqueue((kind, info));
            foreach (var (k, count, done) in _waiters)
            {
                if (k == kind && Of(kind).Count >= count)
                {
                    done.TrySetResult();
                }
            }
        }
    }
}

/// <summary>A receiver that does nothing by itself: the test stores through it.</summary>
internal sealed class ManualReceiver<T> : Receiver<T>
{
    public int Starts;
    public int Stops;

    public override void OnStart() => Interlocked.Increment(ref Starts);

    public override void OnStop() => Interlocked.Increment(ref Stops);
}

/// <summary>A logger factory that keeps every entry, to check what the runtime logs.</summary>
internal sealed class CapturingLoggerFactory : Microsoft.Extensions.Logging.ILoggerFactory
{
    private readonly ConcurrentQueue<(Microsoft.Extensions.Logging.LogLevel Level, string Category, string Message, Exception? Error)> _entries = new();

    public IReadOnlyList<(Microsoft.Extensions.Logging.LogLevel Level, string Category, string Message, Exception? Error)> Entries => [.. _entries];

    public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(Microsoft.Extensions.Logging.ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerFactory factory, string category) : Microsoft.Extensions.Logging.ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(
            Microsoft.Extensions.Logging.LogLevel logLevel,
            Microsoft.Extensions.Logging.EventId eventId,
            TState state,
            Exception? exception,
            Func<TState, Exception?, string> formatter) =>
            factory._entries.Enqueue((logLevel, category, formatter(state, exception), exception));
    }
}
