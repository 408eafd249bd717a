using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pipelines;

/// <summary>Settings of a <see cref="StreamingContext"/>; every one has a default.</summary>
public sealed class StreamingOptions
{
    /// <summary>The clock that cuts time into batches. Tests pass a <see cref="Testing.ManualClock"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where logs go. Defaults to no logging.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Where <c>Print</c> writes. Defaults to <see cref="Console.Out"/>.</summary>
    public TextWriter? Output { get; init; }

    /// <summary>
    /// Identifies the application in what its outputs record, such as the progress table of the SQLite sink, so a
    /// second application writing under the same sink name gets an error instead of skipping batches it takes for
    /// its own (the role of Spark's application name, or of a Structured Streaming query id). Keep it stable across
    /// restarts. When <c>null</c> (the default) see <see cref="StreamingContext.ApplicationId"/> for the id used.
    /// </summary>
    public string? ApplicationId { get; init; }

    /// <summary>The folder for checkpoints, or <c>null</c> for none (set it before the context starts).</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>How long a receiver waits before it starts again after <c>Restart</c> (Spark: 2 s).</summary>
    public TimeSpan ReceiverRestartDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Rate limits and backpressure for receivers; off by default.</summary>
    public BackpressureOptions Backpressure { get; init; } = new();

    /// <summary>How long a non-graceful stop waits for the batch in flight to notice cancellation.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Listeners told about batches and receivers; more can be added with <see cref="StreamingContext.AddStreamingListener"/>.</summary>
    public IList<IStreamingListener> Listeners { get; init; } = new List<IStreamingListener>();
}
