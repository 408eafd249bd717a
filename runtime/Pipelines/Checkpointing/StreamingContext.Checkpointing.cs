using Pipelines.Checkpointing;

namespace Pipelines;

/// <summary>Checkpoints and recovery.</summary>
public sealed partial class StreamingContext
{
    private readonly SortedDictionary<string, string> _pipelines = new(StringComparer.Ordinal);
    private readonly Dictionary<DStream, TimeSpan> _checkpointIntervals = new(ReferenceEqualityComparer.Instance);
    private CheckpointCoordinator? _checkpointing;

    /// <summary>The checkpoint folder, or <c>null</c> when the context does not checkpoint.</summary>
    public string? CheckpointDirectory => _checkpointing?.Store.Directory ?? Options.CheckpointDirectory;

    /// <summary>
    /// The time of the last completed batch restored from a checkpoint, or <c>null</c> when the context
    /// started fresh (or was not recovered). Before <see cref="Start"/> it names the newest readable checkpoint;
    /// <see cref="Start"/> may fall back to an older one when the newest one's data cannot be restored.
    /// </summary>
    public BatchTime? RecoveredFrom => _checkpointing?.RestoredTime;

    /// <summary>
    /// The application's id, recorded by outputs that track progress (the SQLite sink): <see cref="StreamingOptions.ApplicationId"/>
    /// when set; otherwise, for a context that checkpoints, an id generated at its first start and kept in its
    /// checkpoints (so a restart from them keeps it, as a Structured Streaming query id); otherwise an id
    /// generated for this context. Set <see cref="StreamingOptions.ApplicationId"/> when a sink's database must
    /// outlive the checkpoint folder, or when the context does not checkpoint.
    /// </summary>
    public string ApplicationId => Options.ApplicationId ?? _checkpointing?.ApplicationId ?? GeneratedApplicationId;

    /// <summary>The id a context uses when neither the options nor a checkpoint give one.</summary>
    internal string GeneratedApplicationId { get; } = Guid.NewGuid().ToString("N");

    internal CheckpointCoordinator? Checkpointing => _checkpointing;

    internal IReadOnlyDictionary<DStream, TimeSpan> CheckpointIntervals => _checkpointIntervals;

    internal IReadOnlyDictionary<string, string> RegisteredPipelines => _pipelines;

    /// <summary>
    /// Writes checkpoints to <paramref name="directory"/> (Spark's <c>checkpoint</c>): after completed batches
    /// (each batch, or at the data checkpoint interval of stateful streams), and on a graceful stop. A context
    /// created with <c>new</c> starts fresh and replaces checkpoints it finds there; use
    /// <see cref="GetOrCreate"/> to recover from them.
    /// </summary>
    /// <param name="directory">A folder the process can write; created if missing.</param>
    /// <param name="options">Retention, serialization and compatibility settings; <c>null</c> for the defaults.</param>
    public void Checkpoint(string directory, CheckpointOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        EnsureCanAddOperation(nameof(Checkpoint));
        _checkpointing?.Dispose();
        _checkpointing = new CheckpointCoordinator(this, directory, options ?? new CheckpointOptions());
        Options.CheckpointDirectory = _checkpointing.Store.Directory;
    }

    /// <summary>
    /// Builds the context with <paramref name="factory"/> and, when <paramref name="directory"/> holds a
    /// usable checkpoint, recovers from it on <see cref="Start"/> (Spark's <c>getOrCreate</c>): the keyed state,
    /// window data and source positions are restored, the batches that were pending at the failure run again in
    /// order, then new batches follow. Unlike Spark, <paramref name="factory"/> always runs, since the stream
    /// graph is code: define the same streams in the same order as the run that wrote the checkpoint.
    /// </summary>
    /// <param name="directory">The checkpoint folder; a missing folder means a fresh start.</param>
    /// <param name="factory">Creates the context and defines its streams and outputs.</param>
    /// <param name="options">Retention, serialization and compatibility settings; <c>null</c> for the defaults.</param>
    /// <exception cref="CheckpointException">
    /// Checkpoints exist but none is usable, or they were written by a different definition (another batch
    /// interval, a changed pipeline fingerprint or stream graph) and <see cref="CheckpointOptions.DiscardIncompatible"/> is not set.
    /// </exception>
    /// <example>
    /// <code>
    /// await using var ssc = StreamingContext.GetOrCreate("/var/lib/wordcount", () =>
    /// {
    ///     var context = new StreamingContext(TimeSpan.FromSeconds(1));
    ///     context.TextFileStream("/data/in").FlatMap(l => l.Split(' ')).CountByValue().SaveAsTextFiles("/data/out/counts");
    ///     return context;
    /// });
    /// ssc.Start();
    /// </code>
    /// </example>
    public static StreamingContext GetOrCreate(string directory, Func<StreamingContext> factory, CheckpointOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(factory);
        var context = factory() ?? throw new InvalidOperationException("The factory passed to StreamingContext.GetOrCreate returned null; it must return a new StreamingContext.");
        if (context.State != StreamingContextState.Initialized)
        {
            throw new InvalidOperationException("The factory passed to StreamingContext.GetOrCreate must return a context that has not been started.");
        }

        var full = Path.GetFullPath(directory);
        if (context._checkpointing is null || !string.Equals(context._checkpointing.Store.Directory, full, StringComparison.Ordinal) || options is not null)
        {
            context.Checkpoint(full, options ?? context._checkpointing?.Options);
        }

        context._checkpointing!.LoadForRecovery();
        return context;
    }

    /// <summary>
    /// Records the fingerprint of a pipeline definition (the generator emits one per <c>Define…</c> method).
    /// Checkpoints carry the fingerprints; recovering with a different one fails with a message naming the
    /// pipeline, unless <see cref="CheckpointOptions.DiscardIncompatible"/> is set.
    /// </summary>
    /// <param name="name">The pipeline's name, e.g. <c>WordCount.Define</c>.</param>
    /// <param name="fingerprint">A value that changes whenever the definition changes.</param>
    public void RegisterPipeline(string name, string fingerprint)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(fingerprint);
        EnsureCanAddOperation(nameof(RegisterPipeline));
        lock (_gate)
        {
            if (_pipelines.TryGetValue(name, out var existing) && !string.Equals(existing, fingerprint, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Pipeline '{name}' is already registered with fingerprint {existing}; a context can hold one definition per name.");
            }

            _pipelines[name] = fingerprint;
        }
    }

    internal void SetCheckpointInterval(DStream stream, TimeSpan interval)
    {
        EnsureCanAddOperation(nameof(DStream<int>.Checkpoint));
        lock (_gate)
        {
            _checkpointIntervals[stream] = interval;
        }
    }

    /// <summary>Called by <see cref="Start"/> before the streams are initialized: the zero time to use.</summary>
    private BatchTime StartCheckpointing(BatchTime proposedZero)
    {
        if (_checkpointing is null && Options.CheckpointDirectory is { Length: > 0 } directory)
        {
            _checkpointing = new CheckpointCoordinator(this, directory, new CheckpointOptions());
        }

        return _checkpointing?.ChooseZeroTime(proposedZero) ?? proposedZero;
    }
}
