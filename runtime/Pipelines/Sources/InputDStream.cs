namespace Pipelines.Sources;

/// <summary>What the scheduler needs of an input stream.</summary>
internal interface IInputDStream
{
    /// <summary>The stream's id within its context, in creation order.</summary>
    int Id { get; set; }

    /// <summary>Fixes the records of the batch at <paramref name="time"/>; returns how many there are.</summary>
    long Seal(BatchTime time);

    /// <summary>Starts receiving, when the context starts.</summary>
    void Start();

    /// <summary>Stops receiving, when the context stops.</summary>
    Task StopAsync(CancellationToken cancellationToken);

    /// <summary>Whether records arrived that no sealed batch holds yet (a graceful stop cuts one more batch for them).</summary>
    bool HasPendingData => false;

    /// <summary>What the input reads from (a folder, <c>host:port</c>, a topic), recorded in checkpoints; <c>null</c> when it has no stable identity.</summary>
    string? SourceIdentity => null;

    /// <summary>Records per second the input may take now (its rate limiter's rate); <c>null</c> when it has no limiter.</summary>
    double? RateLimit => null;

    /// <summary>The size on disk of the input's write-ahead log; <c>null</c> when it has none.</summary>
    long? WriteAheadLogBytes => null;
}

/// <summary>
/// A stream with no parents whose batches come from outside. At each batch time the scheduler seals the
/// input (fixes which records belong to the batch, on the timer); the job loop computes the batch later.
/// </summary>
/// <typeparam name="T">The type of the records.</typeparam>
internal abstract class InputDStream<T> : DStream<T>, IInputDStream
{
    private readonly Dictionary<BatchTime, Batch<T>?> _sealed = [];
    private readonly List<BatchTime> _stale = [];

    protected InputDStream(StreamingContext context, string name)
        : base(context, name)
    {
    }

    public int Id { get; set; }

    public override TimeSpan SlideDuration => Context.BatchInterval;

    internal override IReadOnlyList<DStream> Dependencies => [];

    public long Seal(BatchTime time) => Seal(time, TakeBatch(time));

    /// <summary>
    /// Fixes the batch at <paramref name="time"/> to <paramref name="batch"/> (e.g. a batch replayed after recovery);
    /// <c>null</c> fixes "no batch" at that time (Spark's input stream returning <c>None</c>).
    /// </summary>
    internal long Seal(BatchTime time, Batch<T>? batch)
    {
        // Large files, queued collections and receiver blocks become several partitions that can run at once.
        batch = batch?.SplitPartitions(Context.Options.InputPartitionRecords);
        lock (_sealed)
        {
            _sealed[time] = batch;
        }

        return batch?.Count ?? 0;
    }

    /// <summary>
    /// Takes the records that arrived up to <paramref name="time"/> and not yet taken; <c>null</c> when the input has
    /// no batch at that time (not even an empty one: operators that need every input's batch, such as
    /// <c>Union</c> and <c>Transform</c>, fail that time, as in Spark).
    /// </summary>
    protected abstract Batch<T>? TakeBatch(BatchTime time);

    public virtual void Start()
    {
    }

    public virtual Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual bool HasPendingData => false;

    public virtual string? SourceIdentity => null;

    public virtual double? RateLimit => null;

    public virtual long? WriteAheadLogBytes => null;

    internal override Batch<T>? Compute(BatchTime time)
    {
        lock (_sealed)
        {
            return _sealed.Remove(time, out var batch) ? batch : Batch<T>.Empty;
        }
    }

    internal override void ClearMetadata(BatchTime time)
    {
        base.ClearMetadata(time);
        var limit = time - RememberDuration;
        lock (_sealed)
        {
            // No LINQ: the stale times go through a reused list, so a warm batch allocates nothing here.
            _stale.Clear();
            foreach (var sealedTime in _sealed.Keys)
            {
                if (sealedTime <= limit)
                {
                    _stale.Add(sealedTime);
                }
            }

            foreach (var stale in _stale)
            {
                _sealed.Remove(stale, out var batch);
                batch?.Release();
            }
        }
    }

    public override string ToString() => $"{Name} #{Id}";
}
