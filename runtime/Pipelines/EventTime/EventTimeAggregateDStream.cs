using System.Text.Json;
using Pipelines.Checkpointing;
using Pipelines.EventTime;

namespace Pipelines;

/// <summary>
/// The stream an event-time window, session or state operator returns: its results, plus what it did with late
/// records (records whose event time is before the watermark in force when they arrived) and how much it holds.
/// </summary>
/// <remarks>
/// Each batch is folded into the operator's state exactly once, in time order. Late records never touch the state:
/// they are counted (<see cref="LateRecordCount"/>, and the <see cref="StreamingMetrics.LateRecords"/> counter) and,
/// when <see cref="LateRecords"/> was asked for, handed to that side output. What the watermark has passed is emitted
/// and evicted, so the state stays bounded over an unbounded stream. The state, the count and the watermark are
/// checkpointed.
/// </remarks>
/// <typeparam name="TOut">The type of the results.</typeparam>
/// <typeparam name="TRecord">The type of the input records (what a late record is).</typeparam>
public abstract class EventTimeAggregateDStream<TOut, TRecord> : DStream<TOut>, ICheckpointedStream
{
    private readonly DStream<Timestamped<TRecord>>? _events;
    private readonly IWatermarkSource? _watermarks;
    private readonly DStream _input;
    private readonly TimeSpan _slide;
    private readonly Dictionary<BatchTime, TRecord[]> _late = [];
    private bool _lateWanted;
    private long _lateCount;
    private BatchTime? _stateTime;

    private protected EventTimeAggregateDStream(EventTimeDStream<TRecord> parent, string name)
        : base(parent.Context, name)
    {
        _events = parent.Events;
        _watermarks = parent.Watermarks;
        _input = parent.Events;
        _slide = parent.SlideDuration;
    }

    /// <summary>For an operator that reads <paramref name="input"/> itself (a compiled one): it overrides <see cref="Fold"/>.</summary>
    private protected EventTimeAggregateDStream(DStream input, string name)
        : base(input.Context, name)
    {
        _input = input;
        _slide = input.SlideDuration;
    }

    /// <inheritdoc />
    public override TimeSpan SlideDuration => _slide;

    internal override IReadOnlyList<DStream> Dependencies => [_input];

    /// <summary>The number of late records dropped so far (restored from the checkpoint after a restart).</summary>
    public long LateRecordCount => Interlocked.Read(ref _lateCount);

    /// <summary>
    /// How many entries the operator holds between batches: (window, key) pairs for event-time windows, open sessions
    /// for session windows, keys for state. Bounded when the watermark advances: what it passes is evicted.
    /// </summary>
    public abstract int OpenEntryCount { get; }

    /// <summary>
    /// The side output of late records: at each batch, the records of that batch whose event time was before the
    /// watermark (they are still counted in <see cref="LateRecordCount"/>). Define it before the context starts.
    /// </summary>
    public DStream<TRecord> LateRecords()
    {
        _lateWanted = true;
        return new LateRecordsDStream(this);
    }

    /// <summary>The kind written in checkpoints, checked when reading one back.</summary>
    private protected abstract string Kind { get; }

    /// <summary>
    /// Folds the on-time records of the batch at <paramref name="time"/> into the state and adds the results to
    /// <paramref name="output"/>: final results for what <paramref name="watermark"/> passed (then evicted), and early ones
    /// if asked. Must leave the state unchanged when user code throws.
    /// </summary>
    private protected abstract void Step(BatchTime time, List<Timestamped<TRecord>> records, long? watermark, BatchBuilder<TOut> output);

    /// <summary>Writes the state's entries as a JSON array.</summary>
    private protected abstract void WriteEntries(Utf8JsonWriter writer, JsonSerializerOptions options);

    /// <summary>Reads and checks what <see cref="WriteEntries"/> wrote; returns the step that loads it.</summary>
    private protected abstract Action ReadEntries(JsonElement entries, JsonSerializerOptions options);

    internal sealed override Batch<TOut>? Compute(BatchTime time)
    {
        var zero = ZeroTime ?? throw new InvalidOperationException($"{Name} has not been initialized: start the StreamingContext first.");
        var last = _stateTime ?? zero;
        if (time <= last)
        {
            throw new InvalidOperationException($"{Name} no longer has its batch at {time}: its state has moved on to {last}. Ask for batches in time order.");
        }

        Batch<TOut>? result = null;
        for (var step = last + SlideDuration; step <= time; step += SlideDuration)
        {
            var output = new BatchBuilder<TOut>();
            var late = Fold(step, output);
            _stateTime = step;
            if (late is not null)
            {
                Interlocked.Add(ref _lateCount, late.Count);
                MetricsListener.LateRecords.Add(late.Count, new KeyValuePair<string, object?>("operator", Name));
            }

            if (_lateWanted)
            {
                lock (_late)
                {
                    _late[step] = late?.ToArray() ?? [];
                }
            }

            result = output.ToBatch();
        }

        return result;
    }

    /// <summary>
    /// Reads the batch at <paramref name="step"/>, splits off the records late against the watermark in force before it,
    /// folds the on-time ones into the state (<see cref="Step"/>) and returns the late ones (<c>null</c> for none).
    /// </summary>
    private protected virtual List<TRecord>? Fold(BatchTime step, BatchBuilder<TOut> output)
    {
        var batch = _events!.GetOrCompute(step) ?? Batch<Timestamped<TRecord>>.Empty;
        var (before, after) = _watermarks!.At(step);
        var onTime = new List<Timestamped<TRecord>>(batch.Count);
        List<TRecord>? late = null;
        foreach (var record in batch.Span)
        {
            if (before is { } watermark && record.Ticks < watermark)
            {
                (late ??= []).Add(record.Value);
            }
            else
            {
                onTime.Add(record);
            }
        }

        Step(step, onTime, after, output);
        return late;
    }

    /// <summary>Writes what a subclass keeps besides the entries (a compiled operator's watermark) as JSON properties.</summary>
    private protected virtual void WriteExtraState(Utf8JsonWriter writer)
    {
    }

    /// <summary>Reads and checks what <see cref="WriteExtraState"/> wrote; returns the step that loads it.</summary>
    private protected virtual Action ReadExtraState(JsonElement state) => static () => { };

    internal override void ClearMetadata(BatchTime time)
    {
        base.ClearMetadata(time);
        var limit = time - RememberDuration;
        lock (_late)
        {
            foreach (var kept in _late.Keys.Where(t => t <= limit).ToList())
            {
                _late.Remove(kept);
            }
        }
    }

    void ICheckpointedStream.WriteState(BatchTime time, Utf8JsonWriter writer, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("kind", Kind);
        writer.WriteNumber("lateRecords", LateRecordCount);
        WriteExtraState(writer);
        writer.WritePropertyName("entries");
        WriteEntries(writer, options);
        writer.WriteEndObject();
    }

    Action ICheckpointedStream.ReadState(BatchTime time, JsonElement state, JsonSerializerOptions options)
    {
        EventTimeCheckpoint.RequireKind(state, Kind, Name);
        var late = state.GetProperty("lateRecords").GetInt64();
        if (late < 0)
        {
            throw new InvalidDataException($"the late record count of {Name} is negative ({late})");
        }

        var load = ReadEntries(state.GetProperty("entries"), options);
        var loadExtra = ReadExtraState(state);
        return () =>
        {
            load();
            loadExtra();
            Interlocked.Exchange(ref _lateCount, late);
            _stateTime = time;
            lock (_late)
            {
                _late.Clear();
            }
        };
    }

    private TRecord[] LateAt(BatchTime time)
    {
        lock (_late)
        {
            return _late.TryGetValue(time, out var late) ? late : [];
        }
    }

    /// <summary>The side output of late records.</summary>
    private sealed class LateRecordsDStream : DStream<TRecord>
    {
        private readonly EventTimeAggregateDStream<TOut, TRecord> _operator;

        public LateRecordsDStream(EventTimeAggregateDStream<TOut, TRecord> op)
            : base(op.Context, nameof(LateRecords))
        {
            _operator = op;
        }

        public override TimeSpan SlideDuration => _operator.SlideDuration;

        internal override IReadOnlyList<DStream> Dependencies => [_operator];

        internal override Batch<TRecord>? Compute(BatchTime time) =>
            _operator.GetOrCompute(time) is null ? null : Batch<TRecord>.From(_operator.LateAt(time));
    }
}
