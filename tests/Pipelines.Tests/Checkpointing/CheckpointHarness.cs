using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Pipelines.Testing;

namespace Pipelines.Tests.Checkpointing;

/// <summary>A temporary folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pipelines-ckpt-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

/// <summary>Collects warnings logged by the runtime.</summary>
internal sealed class WarningCollector : ILoggerFactory, ILogger
{
    public ConcurrentQueue<string> Warnings { get; } = new();

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel >= LogLevel.Warning)
        {
            Warnings.Enqueue(formatter(state, exception));
        }
    }

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }
}

/// <summary>
/// A running word count over a replayable log, on a manual clock, writing each batch's output into
/// <see cref="Outputs"/> keyed by batch time (an idempotent sink) and checkpointing into a folder.
/// </summary>
internal sealed class CheckpointedWordCount : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private CheckpointedWordCount(StreamingContext context, ManualClock clock, ReplayableLogInput input, RunningCountStream counts)
    {
        Context = context;
        Clock = clock;
        Input = input;
        Counts = counts;
    }

    public StreamingContext Context { get; }

    public ManualClock Clock { get; }

    public ReplayableLogInput Input { get; }

    public RunningCountStream Counts { get; }

    public ConcurrentDictionary<BatchTime, string[]> Outputs { get; } = new();

    public Func<BatchTime, CancellationToken, ValueTask>? BeforeOutput { get; set; }

    /// <summary>Builds the pipeline through <see cref="StreamingContext.GetOrCreate"/> (recovering when the folder holds a checkpoint).</summary>
    public static CheckpointedWordCount Create(
        string directory,
        List<string> log,
        DateTimeOffset clockStart,
        TimeSpan? checkpointInterval = null,
        CheckpointOptions? options = null,
        ILoggerFactory? loggerFactory = null,
        Action<StreamingContext>? configure = null,
        TimeSpan? batchInterval = null)
    {
        var clock = new ManualClock(clockStart);
        ReplayableLogInput? input = null;
        RunningCountStream? counts = null;
        CheckpointedWordCount? run = null;
        var context = StreamingContext.GetOrCreate(directory, () =>
        {
            var ssc = new StreamingContext(batchInterval ?? Interval, new StreamingOptions
            {
                TimeProvider = clock,
                LoggerFactory = loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
            });
            configure?.Invoke(ssc);
            input = ssc.Register(new ReplayableLogInput(ssc, log));
            counts = new RunningCountStream(input.FlatMap(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)));
            counts.Checkpoint(checkpointInterval ?? ssc.BatchInterval);
            counts.ForEachBatch(async (batch, time, cancellationToken) =>
            {
                if (run!.BeforeOutput is { } before)
                {
                    await before(time, cancellationToken);
                }

                run.Outputs[time] = batch.Select(p => $"{p.Word}={p.Count}").ToArray();
            });
            return ssc;
        }, options);
        run = new CheckpointedWordCount(context, clock, input!, counts!);
        return run;
    }

    public BatchTime Now => BatchTime.FromDateTimeOffset(Clock.GetUtcNow());

    /// <summary>Advances one interval and waits for that batch to finish.</summary>
    public BatchTime Step()
    {
        Clock.Advance(Context.BatchInterval);
        var now = Now;
        if (!Context.Scheduler!.WhenCompletedAsync(now).Wait(HangGuard))
        {
            throw new TimeoutException($"The batch at {now} did not finish within {HangGuard}.");
        }

        return now;
    }

    /// <summary>Waits for the batch at <paramref name="time"/> (e.g. a replayed one) to finish.</summary>
    public void WaitFor(BatchTime time)
    {
        if (!Context.Scheduler!.WhenCompletedAsync(time).Wait(HangGuard))
        {
            throw new TimeoutException($"The batch at {time} did not finish within {HangGuard}.");
        }
    }

    /// <summary>Simulates a crash: stops without finishing queued batches and without a final checkpoint.</summary>
    public Task CrashAsync() => Context.StopAsync(graceful: false);

    public async ValueTask DisposeAsync() => await Context.DisposeAsync();
}
