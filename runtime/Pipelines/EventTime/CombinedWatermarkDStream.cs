using System.Text.Json;
using Pipelines.Checkpointing;

namespace Pipelines.EventTime;

/// <summary>
/// The records of several event-time streams combined batch by batch (a union, a join), with one watermark: the minimum
/// of the inputs' watermarks (Flink's rule; Spark's default <c>multipleWatermarkPolicy=min</c>), leaving out inputs idle
/// for <see cref="IdleTimeout"/> (no batch or no record), never going back. The watermark and each input's last
/// activity are checkpointed.
/// </summary>
internal abstract class CombinedWatermarkDStream<TOut> : DStream<Timestamped<TOut>>, IWatermarkSource, ICheckpointedStream
{
    private readonly IWatermarkSource[] _sources;
    private readonly DStream[] _inputs;
    private readonly TimeSpan _slide;
    private readonly WatermarkHistory _history = new();
    private readonly BatchTime?[] _lastActive;

    private protected CombinedWatermarkDStream(DStream[] inputs, IWatermarkSource[] sources, TimeSpan idleTimeout, string name)
        : base(inputs[0].Context, name)
    {
        if (idleTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(idleTimeout), idleTimeout, $"{name} needs a positive idle timeout: how long an input without records may go before its watermark stops holding back the combined one.");
        }

        foreach (var input in inputs)
        {
            Operators.SameGraph.Require(inputs[0], input, name);
        }

        _inputs = inputs;
        _sources = sources;
        _slide = inputs[0].SlideDuration;
        _lastActive = new BatchTime?[inputs.Length];
        IdleTimeout = idleTimeout;
        MaxDelay = sources.Max(s => s.MaxDelay);
    }

    /// <summary>How long an input may bring no record before it stops holding the combined watermark back.</summary>
    public TimeSpan IdleTimeout { get; }

    public TimeSpan MaxDelay { get; }

    public long? Current => _history.Current;

    public override TimeSpan SlideDuration => _slide;

    internal override IReadOnlyList<DStream> Dependencies => _inputs;

    public (long? Before, long? After) At(BatchTime time) => _history.At(time);

    /// <summary>Combines the inputs' batches at <paramref name="time"/> (computing them); <paramref name="active"/>[i] tells whether input i brought records.</summary>
    private protected abstract Batch<Timestamped<TOut>> Combine(BatchTime time, bool[] active);

    internal override Batch<Timestamped<TOut>>? Compute(BatchTime time)
    {
        var active = new bool[_inputs.Length];
        var batch = Combine(time, active);

        // Commit: no user code below.
        lock (_history.Gate)
        {
            if (!_history.Contains(time))
            {
                var zero = ZeroTime ?? time;
                long? candidate = null;
                var live = 0;
                var waiting = false;
                for (var i = 0; i < _inputs.Length; i++)
                {
                    if (active[i])
                    {
                        _lastActive[i] = time;
                    }

                    if (time - (_lastActive[i] ?? zero) >= IdleTimeout)
                    {
                        continue; // idle: left out of the minimum
                    }

                    live++;
                    if (_sources[i].At(time).After is { } after)
                    {
                        candidate = candidate is { } c && c <= after ? c : after;
                    }
                    else
                    {
                        waiting = true; // an input without a watermark yet holds the combined one back
                    }
                }

                _history.Record(time, live > 0 && !waiting ? candidate : null);
            }
        }

        return batch;
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
            writer.WriteString("kind", "combinedWatermark");
            if (_history.Current is { } w)
            {
                writer.WriteNumber("watermark", w);
            }
            else
            {
                writer.WriteNull("watermark");
            }

            writer.WriteStartArray("lastActive");
            foreach (var last in _lastActive)
            {
                if (last is { } t)
                {
                    writer.WriteNumberValue(t.Milliseconds);
                }
                else
                {
                    writer.WriteNullValue();
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }
    }

    public Action ReadState(BatchTime time, JsonElement state, JsonSerializerOptions options)
    {
        EventTimeCheckpoint.RequireKind(state, "combinedWatermark", Name);
        var saved = state.GetProperty("watermark");
        long? watermark = saved.ValueKind == JsonValueKind.Null ? null : saved.GetInt64();
        var lastActive = state.GetProperty("lastActive");
        if (lastActive.GetArrayLength() != _inputs.Length)
        {
            throw new InvalidDataException($"the saved state of {Name} has {lastActive.GetArrayLength()} inputs, the definition {_inputs.Length}");
        }

        var last = lastActive.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? (BatchTime?)null : new BatchTime(e.GetInt64())).ToArray();
        return () =>
        {
            lock (_history.Gate)
            {
                Array.Copy(last, _lastActive, last.Length);
                _history.Reset(time, watermark);
            }
        };
    }
}

/// <summary>The union of event-time streams: every input's records with their event times, one combined watermark.</summary>
internal sealed class EventTimeUnionDStream<T> : CombinedWatermarkDStream<T>
{
    private readonly DStream<Timestamped<T>>[] _events;

    public EventTimeUnionDStream(EventTimeDStream<T>[] inputs, TimeSpan idleTimeout)
        : base([.. inputs.Select(i => (DStream)i.Events)], [.. inputs.Select(i => i.Watermarks)], idleTimeout, "Union")
    {
        _events = [.. inputs.Select(i => i.Events)];
    }

    private protected override Batch<Timestamped<T>> Combine(BatchTime time, bool[] active)
    {
        var batches = new Batch<Timestamped<T>>?[_events.Length];
        var count = 0;
        for (var i = 0; i < _events.Length; i++)
        {
            // No batch is no record: an event-time union does not throw as the arrival-time one does (Spark's), it counts the input as idle.
            batches[i] = _events[i].GetOrCompute(time);
            active[i] = batches[i] is { Count: > 0 };
            count += batches[i]?.Count ?? 0;
        }

        var builder = new BatchBuilder<Timestamped<T>>(count);
        foreach (var batch in batches)
        {
            if (batch is not null)
            {
                foreach (var record in batch.Span)
                {
                    builder.Add(record);
                }
            }
        }

        return builder.ToBatch();
    }
}

/// <summary>
/// The per-batch inner join of two keyed event-time streams (the records of the same batch, as the arrival-time
/// <c>Join</c>): each joined pair's event time is the later of its two records'; one combined watermark.
/// </summary>
internal sealed class EventTimeJoinDStream<TKey, TLeft, TRight> : CombinedWatermarkDStream<(TKey Key, (TLeft Left, TRight Right) Value)>
    where TKey : notnull
{
    private readonly DStream<Timestamped<(TKey Key, TLeft Value)>> _left;
    private readonly DStream<Timestamped<(TKey Key, TRight Value)>> _right;

    public EventTimeJoinDStream(EventTimeDStream<(TKey Key, TLeft Value)> left, EventTimeDStream<(TKey Key, TRight Value)> right, TimeSpan idleTimeout)
        : base([left.Events, right.Events], [left.Watermarks, right.Watermarks], idleTimeout, "Join")
    {
        _left = left.Events;
        _right = right.Events;
    }

    private protected override Batch<Timestamped<(TKey Key, (TLeft Left, TRight Right) Value)>> Combine(BatchTime time, bool[] active)
    {
        var left = _left.GetOrCompute(time) ?? Batch<Timestamped<(TKey Key, TLeft Value)>>.Empty;
        var right = _right.GetOrCompute(time) ?? Batch<Timestamped<(TKey Key, TRight Value)>>.Empty;
        active[0] = left.Count > 0;
        active[1] = right.Count > 0;
        var table = new Dictionary<TKey, List<Timestamped<TRight>>>();
        foreach (var record in right.Span)
        {
            if (!table.TryGetValue(record.Value.Key, out var values))
            {
                table[record.Value.Key] = values = [];
            }

            values.Add(new Timestamped<TRight>(record.Ticks, record.Value.Value));
        }

        var builder = new BatchBuilder<Timestamped<(TKey Key, (TLeft Left, TRight Right) Value)>>();
        foreach (var record in left.Span)
        {
            if (table.TryGetValue(record.Value.Key, out var matches))
            {
                foreach (var match in matches)
                {
                    builder.Add(new(Math.Max(record.Ticks, match.Ticks), (record.Value.Key, (record.Value.Value, match.Value))));
                }
            }
        }

        return builder.ToBatch();
    }
}
