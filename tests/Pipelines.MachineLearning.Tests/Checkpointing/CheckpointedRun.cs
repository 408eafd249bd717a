using System.Collections.Concurrent;
using Pipelines.Testing;

namespace Pipelines.MachineLearning.Tests.Checkpointing;

/// <summary>A temporary folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("pipelines-ml-").FullName;

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

/// <summary>
/// A context built through <see cref="StreamingContext.GetOrCreate"/> (recovering when the folder holds a
/// checkpoint) on a manual clock, stepped batch by batch through public API only.
/// </summary>
internal sealed class CheckpointedRun : IAsyncDisposable, IStreamingListener
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);
    private readonly ConcurrentDictionary<BatchTime, TaskCompletionSource<BatchInfo>> _completed = new();

    private CheckpointedRun(string directory, DateTimeOffset clockStart, Action<StreamingContext> define)
    {
        Clock = new ManualClock(clockStart);
        Context = StreamingContext.GetOrCreate(directory, () =>
        {
            var context = new StreamingContext(Interval, new StreamingOptions { TimeProvider = Clock, Listeners = [this] });
            define(context);
            return context;
        });
        Context.Start();
    }

    public ManualClock Clock { get; }

    public StreamingContext Context { get; }

    public static CheckpointedRun Start(string directory, DateTimeOffset clockStart, Action<StreamingContext> define) => new(directory, clockStart, define);

    /// <summary>Advances one interval and waits for that batch; throws its failure.</summary>
    public void Step()
    {
        Clock.Advance(Interval);
        var time = BatchTime.FromDateTimeOffset(Clock.GetUtcNow());
        var completed = Completion(time).Task;
        if (!completed.Wait(HangGuard))
        {
            throw new TimeoutException($"The batch at {time} did not finish within {HangGuard}.");
        }

        if (completed.Result.Failure is { } failure)
        {
            throw new InvalidOperationException($"The batch at {time} failed.", failure);
        }
    }

    public void OnBatchCompleted(BatchInfo batch) => Completion(batch.BatchTime).TrySetResult(batch);

    public async ValueTask DisposeAsync() => await Context.DisposeAsync();

    public Task StopGracefullyAsync() => Context.StopAsync(graceful: true);

    private TaskCompletionSource<BatchInfo> Completion(BatchTime time) =>
        _completed.GetOrAdd(time, _ => new TaskCompletionSource<BatchInfo>(TaskCreationOptions.RunContinuationsAsynchronously));
}
