using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Pipelines.Dashboard;
using Pipelines.Testing;

namespace Pipelines.Dashboard.Tests.Support;

/// <summary>
/// A word-count job on a <see cref="ManualClock"/> with a dashboard: each <see cref="RunBatchAsync"/> queues
/// lines, moves the clock to the next batch time (cutting one batch) and waits until every batch cut so far has completed.
/// The output simulates processing time by moving the clock by the work given for that batch, so scheduling
/// delay, processing time and total delay are exact, known numbers. Never waits on the wall clock.
/// </summary>
internal sealed class DashboardJob : IAsyncDisposable
{
    private readonly ConcurrentQueue<IEnumerable<string>> _input = new();
    private readonly ConcurrentQueue<(TimeSpan Work, Exception? Failure)> _plan = new();

    public DashboardJob(DashboardOptions? dashboard = null, ResultsDashboardOptions? results = null, TimeSpan? interval = null)
    {
        Clock = new ManualClock();
        Interval = interval ?? TimeSpan.FromSeconds(1);
        Context = new StreamingContext(Interval, new StreamingOptions { TimeProvider = Clock });
        var lines = Context.QueueStream(_input, defaultBatch: []);
        var counts = lines.FlatMap(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                          .Map(word => (word, 1))
                          .ReduceByKey((a, b) => a + b);
        counts.ForEachBatch((_, _) =>
        {
            if (_plan.TryDequeue(out var step))
            {
                if (step.Work > TimeSpan.Zero)
                {
                    Clock.Advance(step.Work);
                }

                if (step.Failure is not null)
                {
                    throw step.Failure;
                }
            }
        });
        counts.ToDashboard("Top words", results ?? new ResultsDashboardOptions { Columns = ["Word", "Count"] });
        Server = Context.UseDashboard(dashboard ?? new DashboardOptions { Port = 0 });
        // Added after the dashboard's own listener, so that when this one hears of a batch the dashboard has it too.
        Events = new RecordingListener();
        Context.AddStreamingListener(Events);
        Http = new HttpClient { BaseAddress = Server.Url };
        Counts = counts;
        Context.Start();
    }

    public ManualClock Clock { get; }

    /// <summary>The word counts, already shown on the dashboard.</summary>
    public DStream<(string Word, int Count)> Counts { get; }

    public TimeSpan Interval { get; }

    public StreamingContext Context { get; }

    public DashboardServer Server { get; }

    public RecordingListener Events { get; }

    public HttpClient Http { get; }

    /// <summary>Cuts one batch of <paramref name="lines"/> whose output takes <paramref name="work"/> (fake time) and fails with <paramref name="failure"/>.</summary>
    public async Task<BatchInfo> RunBatchAsync(IEnumerable<string> lines, TimeSpan work = default, Exception? failure = null)
    {
        _input.Enqueue(lines.ToArray());
        _plan.Enqueue((work, failure));
        var before = Events.Completed.Count;
        // To the next batch time exactly: the batch starts at its own time (no scheduling delay) and takes `work`.
        var now = Clock.GetUtcNow().ToUnixTimeMilliseconds();
        var interval = (long)Interval.TotalMilliseconds;
        Clock.Advance(TimeSpan.FromMilliseconds((now / interval + 1) * interval - now));
        await Events.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var completed = Events.Completed;
        Assert.True(completed.Count > before, "The batch did not complete.");
        return completed[before];
    }

    public async Task<JsonElement> GetJsonAsync(string path) =>
        await Http.GetFromJsonAsync<JsonElement>(path);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        await Context.DisposeAsync();
    }
}

/// <summary>Records batch events and tells when every submitted batch has completed.</summary>
internal sealed class RecordingListener : IStreamingListener
{
    private readonly object _gate = new();
    private readonly List<BatchInfo> _completed = [];
    private readonly List<TaskCompletionSource> _waiters = [];
    private int _submitted;

    public IReadOnlyList<BatchInfo> Completed
    {
        get
        {
            lock (_gate)
            {
                return [.. _completed];
            }
        }
    }

    public void OnBatchSubmitted(BatchInfo batch)
    {
        lock (_gate)
        {
            _submitted++;
        }
    }

    public void OnBatchCompleted(BatchInfo batch)
    {
        List<TaskCompletionSource> ready = [];
        lock (_gate)
        {
            _completed.Add(batch);
            if (_completed.Count >= _submitted)
            {
                ready.AddRange(_waiters);
                _waiters.Clear();
            }
        }

        ready.ForEach(w => w.TrySetResult());
    }

    public Task WhenIdleAsync()
    {
        lock (_gate)
        {
            if (_completed.Count >= _submitted)
            {
                return Task.CompletedTask;
            }

            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add(waiter);
            return waiter.Task;
        }
    }
}
