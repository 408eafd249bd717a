using System.Text.Json;

namespace Pipelines.EventTime;

/// <summary>
/// Session windows by event time, per key: a record opens a session [t, t + gap) and sessions that overlap merge,
/// within a batch and across batches. A session is emitted and evicted when the watermark reaches its end. The
/// sessions live in a <see cref="SessionTable{TKey, TValue}"/>, shared with the compiled operator.
/// </summary>
internal sealed class SessionWindowDStream<TKey, TValue> : EventTimeAggregateDStream<EventWindow<TKey, TValue>, (TKey Key, TValue Value)>
    where TKey : notnull
{
    private readonly Func<TValue, TValue, TValue> _reduce;
    private readonly SessionTable<TKey, TValue> _table;

    public SessionWindowDStream(EventTimeDStream<(TKey Key, TValue Value)> parent, Func<TValue, TValue, TValue> reduce, TimeSpan gap, EventWindowOptions? options)
        : base(parent, "ReduceByKeyAndSessionWindow")
    {
        _table = new SessionTable<TKey, TValue>(gap, options);
        _reduce = reduce;
    }

    public override int OpenEntryCount => _table.Count;

    private protected override string Kind => "sessionWindow";

    private protected override void Step(BatchTime time, List<Timestamped<(TKey Key, TValue Value)>> records, long? watermark, BatchBuilder<EventWindow<TKey, TValue>> output)
    {
        // 1. Merge the batch into copies of the touched keys' sessions: user code, the state untouched.
        _table.Begin();
        foreach (var record in records)
        {
            _table.Add(record.Value.Key, record.Ticks, record.Value.Value, _reduce);
        }

        // 2. Commit, emit and evict: no user code.
        _table.Commit(watermark, output);
    }

    private protected override void WriteEntries(Utf8JsonWriter writer, JsonSerializerOptions options) => _table.WriteEntries(writer, options);

    private protected override Action ReadEntries(JsonElement entries, JsonSerializerOptions options) => _table.ReadEntries(entries, options);
}
