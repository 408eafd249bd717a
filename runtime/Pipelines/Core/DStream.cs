namespace Pipelines;

/// <summary>
/// The untyped part of a discretized stream: its place in the graph, its timing and what it remembers.
/// Every stream is a <see cref="DStream{T}"/>; this base lets the runtime walk the graph.
/// </summary>
public abstract class DStream
{
    private protected DStream(StreamingContext context, string name)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.EnsureCanAddOperation(name);
        Context = context;
        Name = name;
    }

    /// <summary>The context this stream belongs to.</summary>
    public StreamingContext Context { get; }

    /// <summary>The operator that created the stream (<c>Map</c>, <c>ReduceByKey</c>, ...), used in errors.</summary>
    public string Name { get; }

    /// <summary>The interval at which this stream produces batches.</summary>
    public abstract TimeSpan SlideDuration { get; }

    /// <summary>The streams this one is computed from.</summary>
    internal abstract IReadOnlyList<DStream> Dependencies { get; }

    /// <summary>The context's zero time, once the context started; batches exist at zero + k * slide, k &gt; 0.</summary>
    internal BatchTime? ZeroTime { get; private set; }

    /// <summary>How long computed batches are kept after their time.</summary>
    internal TimeSpan RememberDuration { get; private set; }

    /// <summary>How long the parents must remember their batches for this stream to be computed.</summary>
    internal virtual TimeSpan ParentRememberDuration => RememberDuration;

    internal void Initialize(BatchTime zeroTime)
    {
        if (ZeroTime == zeroTime)
        {
            return;
        }

        ZeroTime = zeroTime;
        if (RememberDuration < SlideDuration)
        {
            RememberDuration = SlideDuration;
        }

        foreach (var dependency in Dependencies)
        {
            dependency.Initialize(zeroTime);
        }
    }

    /// <summary>Asks this stream and, transitively, its parents to keep batches for at least <paramref name="duration"/>.</summary>
    internal void Remember(TimeSpan duration)
    {
        if (duration > RememberDuration)
        {
            RememberDuration = duration;
        }

        foreach (var dependency in Dependencies)
        {
            dependency.Remember(ParentRememberDuration);
        }
    }

    /// <summary>Checks the stream's settings against the context before it starts.</summary>
    internal virtual void Validate()
    {
        foreach (var dependency in Dependencies)
        {
            dependency.Validate();
        }
    }

    /// <summary>Forgets batches older than <paramref name="time"/> minus the remember duration, here and upstream.</summary>
    internal abstract void ClearMetadata(BatchTime time);

    /// <summary>Whether this stream produces a batch at <paramref name="time"/>.</summary>
    internal bool IsTimeValid(BatchTime time)
    {
        if (ZeroTime is not { } zero)
        {
            throw new InvalidOperationException($"{Name} has not been initialized: start the StreamingContext before computing batches.");
        }

        return time > zero && time.IsMultipleOf(SlideDuration, zero);
    }

    /// <summary>The stream's name and slide, for logs.</summary>
    public override string ToString() => $"{Name} (slide {SlideDuration})";
}

/// <summary>
/// A discretized stream (Spark's DStream): a sequence of batches of <typeparamref name="T"/>, one per slide
/// interval. Streams are immutable and lazy: transformations build new streams; nothing runs until the
/// context starts and an output operation (<c>Print</c>, <c>ForEachBatch</c>, <c>SaveAsTextFiles</c>) asks for
/// batches. Each stream computes a batch at most once per batch time, however many consumers it has.
/// </summary>
/// <typeparam name="T">The type of the records.</typeparam>
public abstract partial class DStream<T> : DStream
{
    private readonly SortedDictionary<BatchTime, Batch<T>?> _generated = new();

    private protected DStream(StreamingContext context, string name)
        : base(context, name)
    {
    }

    /// <summary>
    /// The batch at <paramref name="time"/>, computed once and remembered; <c>null</c> when the stream has no
    /// batch at that time (it is not a multiple of the slide). Called on the job thread only.
    /// </summary>
    internal Batch<T>? GetOrCompute(BatchTime time)
    {
        lock (_generated)
        {
            if (_generated.TryGetValue(time, out var cached))
            {
                return cached;
            }
        }

        if (!IsTimeValid(time))
        {
            return null;
        }

        Batch<T>? batch;
        try
        {
            batch = Compute(time);
        }
        catch (Exception error) when (error is not StreamingOperatorException and not OperationCanceledException)
        {
            throw new StreamingOperatorException(Name, time, error);
        }

        lock (_generated)
        {
            _generated[time] = batch;
        }

        return batch;
    }

    /// <summary>Computes the batch at a valid <paramref name="time"/>.</summary>
    internal abstract Batch<T>? Compute(BatchTime time);

    /// <summary>The batches of the valid times in [<paramref name="from"/>, <paramref name="to"/>], computing those not remembered.</summary>
    internal IReadOnlyList<(BatchTime Time, Batch<T> Batch)> SliceBatches(BatchTime from, BatchTime to)
    {
        var result = new List<(BatchTime, Batch<T>)>();
        if (ZeroTime is not { } zero)
        {
            throw new InvalidOperationException($"{Name} has not been initialized: Slice works once the StreamingContext started.");
        }

        var slideMs = BatchTime.ToMilliseconds(SlideDuration);
        var first = from.Milliseconds - zero.Milliseconds;
        var aligned = first <= slideMs ? slideMs : (first + slideMs - 1) / slideMs * slideMs;
        for (var t = new BatchTime(zero.Milliseconds + aligned); t <= to; t += SlideDuration)
        {
            if (GetOrCompute(t) is { } batch)
            {
                result.Add((t, batch));
            }
        }

        return result;
    }

    internal override void ClearMetadata(BatchTime time)
    {
        var limit = time - RememberDuration;
        List<Batch<T>>? toRelease = null;
        lock (_generated)
        {
            while (_generated.Count > 0)
            {
                var oldest = _generated.First();
                if (oldest.Key > limit)
                {
                    break;
                }

                _generated.Remove(oldest.Key);
                if (oldest.Value is { } batch)
                {
                    (toRelease ??= []).Add(batch);
                }
            }
        }

        if (toRelease is not null)
        {
            foreach (var batch in toRelease)
            {
                batch.Release();
            }
        }

        foreach (var dependency in Dependencies)
        {
            dependency.ClearMetadata(time);
        }
    }

    /// <summary>Forgets a batch that was computed at <paramref name="time"/> (used when a batch failed).</summary>
    internal void Forget(BatchTime time)
    {
        lock (_generated)
        {
            _generated.Remove(time);
        }
    }
}
