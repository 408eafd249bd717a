using System.Text.Json;
using Pipelines.Compilation;

namespace Pipelines.EventTime;

/// <summary>
/// An event-time window whose per-batch part is a generated stage (<see cref="IEventWindowStage{TIn, TRecord, TKey, TAcc}"/>):
/// the stage reads the input, extracts event times, sets late records aside and pre-aggregates by (window, key); this
/// stream keeps the watermark (the latest event time seen minus the delay, never back) and the open windows, merges,
/// emits and evicts as the interpreted <see cref="EventWindowDStream{T, TKey, TAcc, TOut}"/> does, and checkpoints both.
/// </summary>
internal sealed class CompiledEventWindowDStream<TIn, TRecord, TKey, TAcc, TOut> : EventTimeAggregateDStream<TOut, TRecord>
    where TKey : notnull
{
    private readonly DStream<TIn> _parent;
    private readonly IEventWindowStage<TIn, TRecord, TKey, TAcc> _stage;
    private readonly Func<TAcc, TAcc, TAcc> _merge;
    private readonly Func<DateTimeOffset, DateTimeOffset, TKey, TAcc, bool, TOut> _result;
    private readonly EventWindowTable<TKey, TAcc> _table;
    private readonly EventWindowBatch<TRecord, TKey, TAcc> _batch;
    private readonly long _maxDelay;
    private long? _maxEventTicks;
    private long? _watermark;

    public CompiledEventWindowDStream(
        DStream<TIn> parent,
        string name,
        IEventWindowStage<TIn, TRecord, TKey, TAcc> stage,
        TimeSpan maxDelay,
        TimeSpan window,
        TimeSpan? slide,
        EventWindowOptions? options,
        Func<DateTimeOffset, DateTimeOffset, TKey, TAcc, bool, TOut> result)
        : base(parent, name)
    {
        if (maxDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDelay), maxDelay, "WithEventTime needs a maxDelay of zero or more: how far behind the latest event time a record may still arrive.");
        }

        _parent = parent;
        _stage = stage;
        _merge = stage.Merge;
        _result = result;
        _maxDelay = maxDelay.Ticks;
        _table = EventWindowTable<TKey, TAcc>.Create(name, window, slide, options);
        _batch = new EventWindowBatch<TRecord, TKey, TAcc>(_table.Window, _table.Slide);
    }

    public override int OpenEntryCount => _table.Count;

    private protected override string Kind => "compiledEventWindow";

    private protected override List<TRecord>? Fold(BatchTime step, BatchBuilder<TOut> output)
    {
        var input = _parent.GetOrCompute(step) ?? Batch<TIn>.Empty;

        // 1. The generated loop, then the merge with the open windows: user code, the state untouched.
        _batch.Begin(_watermark);
        try
        {
            _stage.Process(input, _batch);
        }
        catch
        {
            ObserveAfterFailure(input);
            throw;
        }
        var merged = _table.Merge(_batch.Aggregates, _batch.Order, _merge);

        // 2. Commit: the watermark moves (never back), then the windows it passed are emitted and evicted. No user code.
        MoveWatermark();
        _table.Commit(merged, _watermark, _result, output);
        return _batch.Late.Count == 0 ? null : [.. _batch.Late];
    }

    /// <summary>
    /// After the stage threw: runs it again reporting event times only, and moves the watermark with them, as the
    /// interpreted <c>WithEventTime</c> did (its batch succeeded; an operator after it failed). When the loop throws
    /// again before reaching the event times, the interpreted <c>WithEventTime</c> failed too and nothing moves.
    /// </summary>
    private void ObserveAfterFailure(Batch<TIn> input)
    {
        _batch.Begin(_watermark, observeOnly: true);
        try
        {
            _stage.Process(input, _batch);
        }
        catch
        {
            return;
        }

        MoveWatermark();
    }

    /// <summary>Moves the watermark (never back) to the latest event time the batch reported, minus the delay.</summary>
    private void MoveWatermark()
    {
        if (_batch.MaxEventTicks is { } seen && (_maxEventTicks is not { } known || seen > known))
        {
            _maxEventTicks = seen;
        }

        if (_maxEventTicks is { } latest && (_watermark is not { } current || latest - _maxDelay > current))
        {
            _watermark = latest - _maxDelay;
        }
    }

    private protected override void Step(BatchTime time, List<Timestamped<TRecord>> records, long? watermark, BatchBuilder<TOut> output) =>
        throw new InvalidOperationException($"{Name} folds its batches through its generated stage.");

    private protected override void WriteEntries(Utf8JsonWriter writer, JsonSerializerOptions options) => _table.WriteEntries(writer, options);

    private protected override Action ReadEntries(JsonElement entries, JsonSerializerOptions options) => _table.ReadEntries(entries, options);

    private protected override void WriteExtraState(Utf8JsonWriter writer) => WatermarkState.Write(writer, _maxEventTicks, _watermark);

    private protected override Action ReadExtraState(JsonElement state)
    {
        var (max, watermark) = WatermarkState.Read(state, _maxDelay, Name);
        return () =>
        {
            _maxEventTicks = max;
            _watermark = watermark;
        };
    }
}

/// <summary>How the compiled event-time operators write their watermark into their checkpointed state.</summary>
internal static class WatermarkState
{
    public static void Write(Utf8JsonWriter writer, long? maxEventTicks, long? watermark)
    {
        WriteTicks(writer, "maxEventTime", maxEventTicks);
        WriteTicks(writer, "watermark", watermark);
    }

    public static (long? Max, long? Watermark) Read(JsonElement state, long maxDelay, string stream)
    {
        var max = ReadTicks(state, "maxEventTime", stream);
        var watermark = ReadTicks(state, "watermark", stream);
        if (watermark is { } w && (max is not { } m || w > m - maxDelay))
        {
            throw new InvalidDataException($"the saved watermark {w} of {stream} is ahead of the latest event time {max} minus the delay {TimeSpan.FromTicks(maxDelay)}");
        }

        return (max, watermark);
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

    private static long? ReadTicks(JsonElement state, string name, string stream)
    {
        if (!state.TryGetProperty(name, out var property))
        {
            throw new InvalidDataException($"the state of {stream} has no {name} (it was written by another definition)");
        }

        return property.ValueKind == JsonValueKind.Null ? null : property.GetInt64();
    }
}
