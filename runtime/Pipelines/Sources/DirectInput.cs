using System.Text.Json.Serialization.Metadata;

namespace Pipelines;

/// <summary>
/// A replayable "direct" input (Spark's direct Kafka stream pattern), the public extension point for sources that
/// can read a range of their data again: no receiver, no buffering. At each batch time the context asks the input
/// for the range of records that batch holds (<see cref="DecideRange"/>, e.g. an offset range per partition); the
/// range is written to the checkpoint folder's batch journal and flushed to disk <em>before</em> the batch is queued,
/// and the batch reads exactly that range when it runs (<see cref="Read"/>). After a crash, recovery restores the
/// input's position from the checkpoint (<see cref="RestorePosition"/>) and every journaled batch after it reads its
/// journaled range again (<see cref="OnRangeReplayed"/>, then <see cref="Read"/>): exactly once on receipt.
/// </summary>
/// <remarks>
/// <para>
/// Register an input with <see cref="StreamingContext.DirectStream{T, TRange, TPosition}(DirectInput{T, TRange, TPosition}, string)"/>.
/// Ranges and positions are saved as JSON through the <see cref="JsonTypeInfo{T}"/>s given to the constructor
/// (a source-generated <c>JsonSerializerContext</c> works well), so they must be plain data.
/// </para>
/// <para>
/// Threads: <see cref="DecideRange"/>, <see cref="GetPosition"/>, <see cref="RestorePosition"/> and
/// <see cref="OnRangeReplayed"/> are called under the context's batch-generation lock, never concurrently with one
/// another, so a position and the journaled ranges always agree. <see cref="Read"/> runs on the job loop, later.
/// </para>
/// <para>
/// Failures: an exception from <see cref="DecideRange"/> is reported to the context (<c>AwaitTerminationAsync</c>
/// throws it) and that batch gets no range; the position must not move in that case. An exception from
/// <see cref="Read"/> stops the context at once, without a checkpoint past that batch, so that a restart from the
/// checkpoint reads the same range again: a range is never skipped silently.
/// </para>
/// </remarks>
/// <typeparam name="T">The type of the records.</typeparam>
/// <typeparam name="TRange">What one batch holds (e.g. offset ranges); saved in the batch journal.</typeparam>
/// <typeparam name="TPosition">Where the input continues from (e.g. the next offset of each partition); saved in checkpoints.</typeparam>
/// <example>
/// <code>
/// sealed class Numbers : DirectInput&lt;long, NumberRange, long&gt;
/// {
///     private long _next;
///     public Numbers() : base(MyJson.Default.NumberRange, MyJson.Default.Int64) { }
///     public override string SourceIdentity =&gt; "numbers";
///     protected override NumberRange DecideRange(DirectBatchRequest request) { var r = new NumberRange(_next, _next + 10); _next = r.Until; return r; }
///     protected override long CountRecords(NumberRange range) =&gt; range.Until - range.From;
///     protected override Batch&lt;long&gt; Read(BatchTime time, NumberRange range, CancellationToken cancellationToken) =&gt; Batch&lt;long&gt;.From(Enumerable.Range(0, 10).Select(i =&gt; range.From + i));
///     protected override void OnRangeReplayed(BatchTime time, NumberRange range) =&gt; _next = Math.Max(_next, range.Until);
///     protected override long GetPosition() =&gt; _next;
///     protected override void RestorePosition(long position) =&gt; _next = position;
/// }
/// var numbers = ssc.DirectStream(new Numbers());
/// </code>
/// </example>
public abstract class DirectInput<T, TRange, TPosition>
    where TRange : notnull
    where TPosition : notnull
{
    /// <summary>Creates the input with the JSON contracts of its range and position types.</summary>
    /// <param name="rangeTypeInfo">How a range is written to and read from the batch journal.</param>
    /// <param name="positionTypeInfo">How a position is written to and read from checkpoints.</param>
    protected DirectInput(JsonTypeInfo<TRange> rangeTypeInfo, JsonTypeInfo<TPosition> positionTypeInfo)
    {
        ArgumentNullException.ThrowIfNull(rangeTypeInfo);
        ArgumentNullException.ThrowIfNull(positionTypeInfo);
        RangeTypeInfo = rangeTypeInfo;
        PositionTypeInfo = positionTypeInfo;
    }

    /// <summary>
    /// What this input reads, as a stable string (e.g. <c>kafka:topics=in</c>). It is saved with the position;
    /// recovering a checkpoint written by an input with another identity fails with a <see cref="CheckpointException"/>
    /// instead of reading positions that belong to something else.
    /// </summary>
    public abstract string SourceIdentity { get; }

    /// <summary>The JSON contract of <typeparamref name="TRange"/>.</summary>
    public JsonTypeInfo<TRange> RangeTypeInfo { get; }

    /// <summary>The JSON contract of <typeparamref name="TPosition"/>.</summary>
    public JsonTypeInfo<TPosition> PositionTypeInfo { get; }

    /// <summary>The stream of this input, once registered with a context.</summary>
    public DStream<T>? Stream { get; internal set; }

    internal Sources.IDirectInputStream? Registration { get; set; }

    /// <summary>
    /// The range of the batch at <paramref name="time"/>, while the stream remembers that batch (e.g. from inside
    /// <c>ForEachBatch</c>, Spark's <c>HasOffsetRanges</c>); false when that batch has no range (not generated, or
    /// its range could not be decided).
    /// </summary>
    public bool TryGetRange(BatchTime time, out TRange range)
    {
        if (Registration is Sources.IDirectInputStream<TRange> registered && registered.TryGetRange(time, out range))
        {
            return true;
        }

        range = default!;
        return false;
    }

    /// <summary>
    /// Decides the range of the batch at <paramref name="request"/>'s time and moves the position past it. Honour
    /// <see cref="DirectBatchRequest.RateLimit"/> when it is set. Throw (and leave the position unchanged) when no
    /// range can be decided.
    /// </summary>
    protected internal abstract TRange DecideRange(DirectBatchRequest request);

    /// <summary>The number of records in <paramref name="range"/> (the batch's input size for listeners and backpressure).</summary>
    protected internal abstract long CountRecords(TRange range);

    /// <summary>
    /// Reads exactly the records of <paramref name="range"/>, on the job loop, when the batch at
    /// <paramref name="time"/> runs (the first time, or again after recovery). Use one batch partition per source
    /// partition (<see cref="BatchBuilder{T}.EndPartition"/>). Throw when the range cannot be read whole.
    /// </summary>
    protected internal abstract Batch<T> Read(BatchTime time, TRange range, CancellationToken cancellationToken);

    /// <summary>Recovery: the batch at <paramref name="time"/> was journaled with <paramref name="range"/>; move the position past it.</summary>
    protected internal abstract void OnRangeReplayed(BatchTime time, TRange range);

    /// <summary>The current position, for a checkpoint. May be called before <see cref="Start"/> (the context's first checkpoint).</summary>
    protected internal abstract TPosition GetPosition();

    /// <summary>Recovery: continue from <paramref name="position"/>; called before <see cref="Start"/> and before any replayed range.</summary>
    protected internal abstract void RestorePosition(TPosition position);

    /// <summary>Called when the context starts (after any recovery).</summary>
    protected internal virtual void Start()
    {
    }

    /// <summary>Called when the context stops; release clients and connections here.</summary>
    protected internal virtual Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>What the context tells a <see cref="DirectInput{T, TRange, TPosition}"/> when it asks for a batch's range.</summary>
/// <param name="Time">The batch time.</param>
/// <param name="BatchInterval">The context's batch interval.</param>
/// <param name="RateLimit">
/// With backpressure on (<see cref="BackpressureOptions.Enabled"/>), the rate in records per second the PID
/// estimator allows this input now (Spark's <c>rateController.getLatestRate</c>), already capped by
/// <see cref="BackpressureOptions.MaxRatePerReceiver"/>; <c>null</c> when there is no limit or no estimate yet.
/// </param>
public readonly record struct DirectBatchRequest(BatchTime Time, TimeSpan BatchInterval, double? RateLimit);
