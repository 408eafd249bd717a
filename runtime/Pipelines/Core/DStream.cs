using System.Runtime.ExceptionServices;

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

    /// <summary>
    /// The number of partitions asked for this stream's batches by a <c>numPartitions</c> overload of a window or
    /// state operator (Spark's <c>reduceByKeyAndWindow(..., numPartitions)</c>, <c>updateStateByKey(..., numPartitions)</c>,
    /// <c>StateSpec.numPartitions</c>), or <c>null</c> for the context's default. It takes effect where batches run in
    /// parallel partitions: the keyed window and state data are split by key hash into that many partitions.
    /// </summary>
    public int? NumPartitions { get; private set; }

    /// <summary>Checks a <c>numPartitions</c> argument of <paramref name="operation"/>: it must be positive.</summary>
    internal static void RequirePartitions(int numPartitions, string operation)
    {
        if (numPartitions <= 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(numPartitions), numPartitions, $"{operation} needs a positive number of partitions (numPartitions), and got {numPartitions}.");
        }
    }

    /// <summary>Records on <paramref name="stream"/> the partition count a <c>numPartitions</c> overload asked for (checked: positive).</summary>
    internal static TStream WithNumPartitions<TStream>(TStream stream, int numPartitions, string operation)
        where TStream : DStream
    {
        RequirePartitions(numPartitions, operation);
        stream.NumPartitions = numPartitions;
        return stream;
    }

    /// <summary>The streams this one is computed from.</summary>
    internal abstract IReadOnlyList<DStream> Dependencies { get; }

    /// <summary>The stream's id in <see cref="StreamingContext.DescribeStreams"/> (its place in the stream graph), once the context started; -1 before.</summary>
    internal int GraphId { get; set; } = -1;

    /// <summary>The context's zero time, once the context started; batches exist at zero + k * slide, k &gt; 0.</summary>
    internal BatchTime? ZeroTime { get; private set; }

    /// <summary>How long computed batches are kept after their time.</summary>
    internal TimeSpan RememberDuration { get; private set; }

    /// <summary>How long the parents must remember their batches for this stream to be computed.</summary>
    internal virtual TimeSpan ParentRememberDuration => RememberDuration;

    /// <summary>
    /// The streams whose batches at a time this stream reads to compute its batch at that time: they are computed
    /// first, bottom-up and without recursion (see <see cref="DStream{T}.GetOrCompute"/>), so that a chain of any
    /// depth never overflows the stack. By default its <see cref="Dependencies"/>.
    /// </summary>
    internal virtual IReadOnlyList<DStream> ComputeInputs => Dependencies;

    /// <summary>Sets this stream's zero time (the <see cref="StreamGraph"/> does it for every stream).</summary>
    internal void Initialize(BatchTime zeroTime)
    {
        ZeroTime = zeroTime;
        if (RememberDuration < SlideDuration)
        {
            RememberDuration = SlideDuration;
        }
    }

    /// <summary>Makes this stream keep batches for at least <paramref name="duration"/> (the <see cref="StreamGraph"/> propagates it upstream).</summary>
    internal void RaiseRememberDuration(TimeSpan duration)
    {
        if (duration > RememberDuration)
        {
            RememberDuration = duration;
        }
    }

    /// <summary>Checks this stream's settings against the context before it starts (the <see cref="StreamGraph"/> calls it for every stream).</summary>
    internal virtual void Validate()
    {
    }

    /// <summary>Forgets this stream's batches older than <paramref name="time"/> minus the remember duration (the <see cref="StreamGraph"/> calls it for every stream).</summary>
    internal abstract void ClearMetadata(BatchTime time);

    /// <summary>Whether the batch at <paramref name="time"/> is computed and remembered.</summary>
    internal abstract bool HasComputed(BatchTime time);

    /// <summary>Computes (and remembers) the batch at <paramref name="time"/>, if not already done.</summary>
    internal abstract void EnsureComputed(BatchTime time);

    /// <summary>The batch at <paramref name="time"/> (a <see cref="Batch{T}"/>), or <c>null</c> when the stream has none (<see cref="DStream{T}.GetOrCompute"/>).</summary>
    internal abstract object? GetOrComputeBatch(BatchTime time);

    /// <summary>How deep computing may nest (a stream computing its parent computing its parent...) before the
    /// rest of the chain is computed bottom-up instead (<see cref="ComputeInputsFirst"/>).</summary>
    private const int MaxComputeNesting = 64;

    [ThreadStatic]
    private static int t_computeNesting;

    /// <summary>Failures met while computing bottom-up, rethrown to the streams that read them (then forgotten).</summary>
    [ThreadStatic]
    private static Dictionary<(DStream Stream, BatchTime Time), ExceptionDispatchInfo>? t_failures;

    /// <summary>Whether the current thread computes so deep in a chain that the rest must be computed bottom-up.</summary>
    private protected static bool ComputingDeep => t_computeNesting >= MaxComputeNesting;

    /// <summary>Enters one level of nested computing; returns whether this level owns the failure scope.</summary>
    private protected static void EnterCompute() => t_computeNesting++;

    private protected static void ExitCompute()
    {
        if (--t_computeNesting == 0)
        {
            t_failures = null;
        }
    }

    /// <summary>Rethrows the failure recorded for this stream at <paramref name="time"/> by a bottom-up pass, if any.</summary>
    private protected void ThrowIfFailedBelow(BatchTime time)
    {
        if (t_failures is { } failures && failures.TryGetValue((this, time), out var failure))
        {
            failure.Throw();
        }
    }

    /// <summary>
    /// Computes, bottom-up, every stream upstream of this one (through <see cref="ComputeInputs"/>) that has a batch
    /// at <paramref name="time"/> and has not computed it: a depth-first walk with its own stack, used once computing
    /// nests <see cref="MaxComputeNesting"/> deep, so that a chain of any depth never overflows the stack. A stream
    /// that fails is recorded and its error rethrown to each stream reading it, as the nested calls would have
    /// propagated it (without running its function again). Afterwards this stream's <c>Compute</c> finds its inputs
    /// remembered (or failed).
    /// </summary>
    private protected void ComputeInputsFirst(BatchTime time)
    {
        var uncached = false;
        foreach (var input in ComputeInputs)
        {
            if (!input.HasComputed(time))
            {
                uncached = true;
                break;
            }
        }

        if (!uncached)
        {
            return;
        }

        var seen = new HashSet<DStream>(ReferenceEqualityComparer.Instance) { this };
        var path = new Stack<(DStream Stream, int Next)>();
        path.Push((this, 0));
        while (path.Count > 0)
        {
            var (stream, next) = path.Pop();
            var dependencies = stream.ComputeInputs;
            if (next < dependencies.Count)
            {
                path.Push((stream, next + 1));
                var dependency = dependencies[next];
                if (seen.Add(dependency) && !dependency.HasComputed(time) && dependency.ZeroTime is not null && dependency.IsTimeValid(time))
                {
                    path.Push((dependency, 0));
                }
            }
            else if (!ReferenceEquals(stream, this))
            {
                try
                {
                    stream.EnsureComputed(time);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    (t_failures ??= new(EqualityComparer<(DStream, BatchTime)>.Default))[(stream, time)] = ExceptionDispatchInfo.Capture(error);
                }
            }
        }
    }

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
    /// <summary>The remembered batches by time, sorted (times arrive in order): remembering and forgetting allocate nothing once warm.</summary>
    private readonly RememberedBatches<T> _generated = new();

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

        ThrowIfFailedBelow(time);
        Batch<T>? batch;
        EnterCompute();
        var timer = StreamTimer.Start(this);
        try
        {
            if (ComputingDeep)
            {
                ComputeInputsFirst(time);
            }

            batch = Compute(time);
        }
        catch (Exception error) when (error is not StreamingOperatorException and not OperationCanceledException)
        {
            throw new StreamingOperatorException(Name, time, error);
        }
        finally
        {
            timer.Stop();
            ExitCompute();
        }

        lock (_generated)
        {
            _generated.Set(time, batch);
        }

        timer.Report(this, time, batch);
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
        while (true)
        {
            Batch<T>? batch;
            lock (_generated)
            {
                if (_generated.Count == 0 || _generated.FirstTime > limit)
                {
                    return;
                }

                batch = _generated.FirstBatch;
                _generated.RemoveFirst();
            }

            batch?.Release(); // outside the lock, as a release may return buffers to a pool
        }
    }

    internal override bool HasComputed(BatchTime time)
    {
        lock (_generated)
        {
            return _generated.ContainsKey(time);
        }
    }

    internal override void EnsureComputed(BatchTime time) => GetOrCompute(time);

    internal override object? GetOrComputeBatch(BatchTime time) => GetOrCompute(time);

    /// <summary>Forgets a batch that was computed at <paramref name="time"/> (used when a batch failed).</summary>
    internal void Forget(BatchTime time)
    {
        lock (_generated)
        {
            _generated.Remove(time);
        }
    }
}
