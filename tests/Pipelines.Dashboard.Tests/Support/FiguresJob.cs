using System.Collections.Concurrent;
using Pipelines.Testing;

namespace Pipelines.Dashboard.Tests.Support;

/// <summary>
/// A job with everything the dashboard's extra figures describe, on a <see cref="ManualClock"/>: a receiver with a
/// write-ahead log and a rate limit, an operator whose time is known (it moves the clock by 3 ms per record), a
/// repartition, keyed state, an incremental window, and a checkpoint after every batch.
/// </summary>
internal sealed class FiguresJob : IAsyncDisposable
{
    public static readonly TimeSpan PerRecord = TimeSpan.FromMilliseconds(3);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "pipelines-dash-" + Guid.NewGuid().ToString("N"));
    private readonly LineReceiver _receiver = new();

    public FiguresJob(DashboardOptions? dashboard = null)
    {
        Clock = new ManualClock();
        Context = new StreamingContext(Interval, new StreamingOptions
        {
            TimeProvider = Clock,
            Backpressure = new BackpressureOptions { MaxRatePerReceiver = 5000 },
        });
        Context.Checkpoint(_folder, new CheckpointOptions { ReceiverWriteAheadLog = true });
        var pairs = Context.ReceiverStream(_receiver)
            .FlatMap(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Map(word =>
            {
                Clock.Advance(PerRecord);
                return (word, 1);
            })
            .Repartition(3);
        pairs.UpdateStateByKey<string, int, int>((values, total) => Optional.Of(total.GetValueOrDefault(0) + values.Count))
            .Checkpoint(Interval)
            .ForEachBatch((_, _) => { });
        pairs.ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, TimeSpan.FromSeconds(3), Interval)
            .ForEachBatch((_, _) => { });
        Server = Context.UseDashboard(dashboard ?? new DashboardOptions { Port = 0, Title = "Figures" });
        Events = new FiguresListener();
        Context.AddStreamingListener(Events);
        Http = new HttpClient { BaseAddress = Server.Url };
        Context.Start();
    }

    public static TimeSpan Interval { get; } = TimeSpan.FromSeconds(1);

    public ManualClock Clock { get; }

    public StreamingContext Context { get; }

    public DashboardServer Server { get; }

    public FiguresListener Events { get; }

    public HttpClient Http { get; }

    /// <summary>Stores <paramref name="lines"/> through the receiver (logged before acknowledged), cuts the next batch and waits for it.</summary>
    public async Task<BatchTime> RunBatchAsync(params string[] lines)
    {
        await _receiver.StoreAsync(lines);
        var now = Clock.GetUtcNow().ToUnixTimeMilliseconds();
        var interval = (long)Interval.TotalMilliseconds;
        var time = new BatchTime((now / interval + 1) * interval);
        Clock.Advance(TimeSpan.FromMilliseconds(time.Milliseconds - now));
        await Events.WhenCompletedAsync(time).WaitAsync(TimeSpan.FromSeconds(60));
        return time;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Context.DisposeAsync();
        await Server.DisposeAsync();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private sealed class LineReceiver : Receiver<string>
    {
        public override void OnStart()
        {
        }

        public override void OnStop()
        {
        }
    }
}

/// <summary>Records what the core reports: stream timings, checkpoints and completed batches.</summary>
internal sealed class FiguresListener : IStreamingListener
{
    private readonly ConcurrentDictionary<BatchTime, TaskCompletionSource> _completed = new();

    public ConcurrentQueue<StreamComputedInfo> Streams { get; } = new();

    public ConcurrentQueue<CheckpointInfo> Checkpoints { get; } = new();

    public ConcurrentQueue<BatchInfo> Completed { get; } = new();

    public bool WantsStreamTimings => true;

    public void OnStreamComputed(StreamComputedInfo stream) => Streams.Enqueue(stream);

    public void OnCheckpointWritten(CheckpointInfo checkpoint) => Checkpoints.Enqueue(checkpoint);

    public void OnBatchCompleted(BatchInfo batch)
    {
        Completed.Enqueue(batch);
        Completion(batch.BatchTime).TrySetResult();
    }

    public Task WhenCompletedAsync(BatchTime time) => Completion(time).Task;

    private TaskCompletionSource Completion(BatchTime time) =>
        _completed.GetOrAdd(time, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
