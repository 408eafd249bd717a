namespace Pipelines.Hosting;

/// <summary>
/// The settings of a hosted <see cref="StreamingContext"/>, bound from configuration (the <c>Streaming</c> section by
/// default; durations as <c>hh:mm:ss.fff</c>), e.g. in <c>appsettings.json</c>:
/// <code>
/// "Streaming": { "BatchInterval": "00:00:01", "CheckpointDirectory": "/var/lib/wordcount", "ApplicationId": "wordcount" }
/// </code>
/// </summary>
public sealed class StreamingHostOptions
{
    /// <summary>The configuration section bound by default: <c>Streaming</c>.</summary>
    public const string DefaultSectionName = "Streaming";

    /// <summary>The batch interval (default 1 s): positive and a whole number of milliseconds.</summary>
    public TimeSpan BatchInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The checkpoint folder, or <c>null</c> (the default) for none. When set, the context is created with
    /// <see cref="StreamingContext.GetOrCreate"/>: it recovers from the checkpoints there and writes new ones,
    /// including a final one when the host stops it.
    /// </summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>Whether receivers log their blocks before acknowledging them (<see cref="CheckpointOptions.ReceiverWriteAheadLog"/>; default false).</summary>
    public bool ReceiverWriteAheadLog { get; set; }

    /// <summary>The application's id (<see cref="StreamingOptions.ApplicationId"/>), or <c>null</c> for the one kept in the checkpoints.</summary>
    public string? ApplicationId { get; set; }

    /// <summary>
    /// Whether the host's stop (SIGTERM, Ctrl+C, <see cref="Microsoft.Extensions.Hosting.IHostApplicationLifetime.StopApplication"/>)
    /// stops the context gracefully (default true): the batches already cut finish and the final checkpoint is written.
    /// When false the batch in flight is cancelled; a restart from the checkpoint runs it again.
    /// </summary>
    public bool StopGracefully { get; set; } = true;

    /// <summary>
    /// How long the stop waits for the job loop (<see cref="StreamingOptions.StopTimeout"/>), or <c>null</c> (the
    /// default) for a third of the host's <see cref="Microsoft.Extensions.Hosting.HostOptions.ShutdownTimeout"/>: a
    /// graceful stop may wait twice this long (the batches, then the cancelled batch), so it ends within the host's
    /// shutdown timeout.
    /// </summary>
    public TimeSpan? StopTimeout { get; set; }

    /// <summary>The most batches that may wait behind the batch in flight (<see cref="StreamingOptions.MaxQueuedBatches"/>; default no bound).</summary>
    public int? MaxQueuedBatches { get; set; }

    /// <summary>How long a receiver waits before it restarts (<see cref="StreamingOptions.ReceiverRestartDelay"/>; default 2 s).</summary>
    public TimeSpan ReceiverRestartDelay { get; set; } = TimeSpan.FromSeconds(2);
}
