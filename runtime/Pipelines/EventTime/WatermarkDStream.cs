using System.Text.Json;
using Pipelines.Checkpointing;

namespace Pipelines.EventTime;

/// <summary>
/// The root of an event-time chain (<c>WithEventTime</c>): stamps each record with the event time the user's function
/// reads from it, and moves the watermark after each batch to the latest event time seen minus the allowed delay,
/// never back. The watermark is checkpointed.
/// </summary>
internal sealed class WatermarkDStream<T> : DStream<Timestamped<T>>, IWatermarkSource, ICheckpointedStream
{
    private readonly DStream<T> _parent;
    private readonly Func<T, DateTimeOffset> _eventTime;
    private readonly TimeSpan _slide;
    private readonly WatermarkHistory _history = new();
    private long? _maxEventTicks;

    public WatermarkDStream(DStream<T> parent, Func<T, DateTimeOffset> eventTime, TimeSpan maxDelay)
        : base(parent.Context, "WithEventTime")
    {
        if (maxDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDelay), maxDelay, "WithEventTime needs a maxDelay of zero or more: how far behind the latest event time a record may still arrive.");
        }

        _parent = parent;
        _eventTime = eventTime;
        _slide = parent.SlideDuration;
        MaxDelay = maxDelay;
    }

    public TimeSpan MaxDelay { get; }

    public long? Current => _history.Current;

    public override TimeSpan SlideDuration => _slide;

    internal override IReadOnlyList<DStream> Dependencies => [_parent];

    public (long? Before, long? After) At(BatchTime time) => _history.At(time);

    internal override Batch<Timestamped<T>>? Compute(BatchTime time)
    {
        if (_parent.GetOrCompute(time) is not { } batch)
        {
            return null;
        }

        var records = batch.Span;
        var builder = new BatchBuilder<Timestamped<T>>(records.Length);
        long? batchMax = null;
        foreach (var record in records)
        {
            var ticks = _eventTime(record).UtcTicks;
            builder.Add(new Timestamped<T>(ticks, record));
            if (batchMax is not { } max || ticks > max)
            {
                batchMax = ticks;
            }
        }

        // Commit: no user code below.
        lock (_history.Gate)
        {
            if (!_history.Contains(time))
            {
                if (batchMax is { } seen && (_maxEventTicks is not { } known || seen > known))
                {
                    _maxEventTicks = seen;
                }

                _history.Record(time, _maxEventTicks - MaxDelay.Ticks);
            }
        }

        return builder.ToBatch();
    }

    internal override void ClearMetadata(BatchTime time)
    {
        base.ClearMetadata(time);
        var limit = time - RememberDuration - SlideDuration;
        _history.Trim(limit);
    }

    public void WriteState(BatchTime time, Utf8JsonWriter writer, JsonSerializerOptions options)
    {
        lock (_history.Gate)
        {
            writer.WriteStartObject();
            writer.WriteString("kind", "watermark");
            WriteTicks(writer, "maxEventTime", _maxEventTicks);
            WriteTicks(writer, "watermark", _history.Current);
            writer.WriteEndObject();
        }
    }

    public Action ReadState(BatchTime time, JsonElement state, JsonSerializerOptions options)
    {
        EventTimeCheckpoint.RequireKind(state, "watermark", Name);
        var max = ReadTicks(state, "maxEventTime");
        var watermark = ReadTicks(state, "watermark");
        if (watermark is { } w && (max is not { } m || w > m - MaxDelay.Ticks))
        {
            throw new InvalidDataException($"the saved watermark {w} is ahead of the latest event time {max} minus the delay {MaxDelay}");
        }

        return () =>
        {
            lock (_history.Gate)
            {
                _maxEventTicks = max;
                _history.Reset(time, watermark);
            }
        };
    }

    private static void WriteTicks(Utf8JsonWriter writer, string name, long? ticks)
    {
        if (ticks is { } t)
        {
            writer.WriteNumber(name, t);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static long? ReadTicks(JsonElement state, string name) =>
        state.GetProperty(name).ValueKind == JsonValueKind.Null ? null : state.GetProperty(name).GetInt64();
}

/// <summary>A narrow operator on an event-time chain: each output record keeps the event time of the record it came from.</summary>
internal sealed class EventTimeNarrowDStream<TIn, TOut> : DStream<Timestamped<TOut>>
{
    private readonly DStream<Timestamped<TIn>> _parent;
    private readonly Action<Timestamped<TIn>, BatchBuilder<Timestamped<TOut>>> _apply;
    private readonly TimeSpan _slide;

    public EventTimeNarrowDStream(DStream<Timestamped<TIn>> parent, string name, Action<Timestamped<TIn>, BatchBuilder<Timestamped<TOut>>> apply)
        : base(parent.Context, name)
    {
        _parent = parent;
        _apply = apply;
        _slide = parent.SlideDuration;
    }

    public override TimeSpan SlideDuration => _slide;

    internal override IReadOnlyList<DStream> Dependencies => [_parent];

    internal override Batch<Timestamped<TOut>>? Compute(BatchTime time)
    {
        if (_parent.GetOrCompute(time) is not { } batch)
        {
            return null;
        }

        var builder = new BatchBuilder<Timestamped<TOut>>(batch.Count);
        foreach (var record in batch.Span)
        {
            _apply(record, builder);
        }

        return builder.ToBatch();
    }
}
