using System.Text.Json;
using Pipelines.Compilation;

namespace Pipelines.EventTime;

/// <summary>
/// An event-time session window whose per-batch part is a generated stage
/// (<see cref="ISessionWindowStage{TIn, TKey, TValue}"/>): the stage reads the input, extracts event times, sets late
/// records aside and merges the on-time ones into the batch's copy of their keys' sessions; this stream keeps the
/// watermark (the latest event time seen minus the delay, never back) and the open sessions
/// (<see cref="SessionTable{TKey, TValue}"/>, shared with the interpreted <see cref="SessionWindowDStream{TKey, TValue}"/>),
/// commits, emits and evicts, and checkpoints both.
/// </summary>
internal sealed class CompiledSessionWindowDStream<TIn, TKey, TValue> : EventTimeAggregateDStream<EventWindow<TKey, TValue>, (TKey Key, TValue Value)>
    where TKey : notnull
{
    private readonly DStream<TIn> _parent;
    private readonly ISessionWindowStage<TIn, TKey, TValue> _stage;
    private readonly SessionTable<TKey, TValue> _table;
    private readonly SessionWindowBatch<TKey, TValue> _batch;
    private readonly long _maxDelay;
    private long? _maxEventTicks;
    private long? _watermark;

    public CompiledSessionWindowDStream(DStream<TIn> parent, string name, ISessionWindowStage<TIn, TKey, TValue> stage, TimeSpan maxDelay, TimeSpan gap, EventWindowOptions? options)
        : base(parent, name)
    {
        if (maxDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDelay), maxDelay, "WithEventTime needs a maxDelay of zero or more: how far behind the latest event time a record may still arrive.");
        }

        _parent = parent;
        _stage = stage;
        _maxDelay = maxDelay.Ticks;
        _table = new SessionTable<TKey, TValue>(gap, options);
        _batch = new SessionWindowBatch<TKey, TValue>(_table, stage.Reduce);
    }

    public override int OpenEntryCount => _table.Count;

    private protected override string Kind => "compiledSessionWindow";

    private protected override List<(TKey Key, TValue Value)>? Fold(BatchTime step, BatchBuilder<EventWindow<TKey, TValue>> output)
    {
        var input = _parent.GetOrCompute(step) ?? Batch<TIn>.Empty;

        // 1. The generated loop merges the batch into copies of the touched keys' sessions: user code, the state untouched.
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

        // 2. Commit: the watermark moves (never back), then the sessions it passed are emitted and evicted. No user code.
        MoveWatermark();
        _table.Commit(_watermark, output);
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

    private protected override void Step(BatchTime time, List<Timestamped<(TKey Key, TValue Value)>> records, long? watermark, BatchBuilder<EventWindow<TKey, TValue>> output) =>
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
