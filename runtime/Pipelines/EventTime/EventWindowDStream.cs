using System.Text.Json;

namespace Pipelines.EventTime;

/// <summary>
/// Event-time windows of fixed length and slide, aligned to the Unix epoch, per key. Each batch is pre-aggregated by
/// (window, key) first (the per-batch part), then merged into the open windows; a window is emitted and evicted when
/// the watermark reaches its end.
/// </summary>
internal sealed class EventWindowDStream<T, TKey, TAcc, TOut> : EventTimeAggregateDStream<TOut, T>
    where TKey : notnull
{
    private readonly Func<T, TKey> _key;
    private readonly Func<T, TAcc> _create;
    private readonly Func<TAcc, T, TAcc> _add;
    private readonly Func<TAcc, TAcc, TAcc> _merge;
    private readonly Func<DateTimeOffset, DateTimeOffset, TKey, TAcc, bool, TOut> _result;

    private readonly EventWindowTable<TKey, TAcc> _table;

    public EventWindowDStream(
        EventTimeDStream<T> parent,
        string name,
        TimeSpan window,
        TimeSpan? slide,
        EventWindowOptions? options,
        Func<T, TKey> key,
        Func<T, TAcc> create,
        Func<TAcc, T, TAcc> add,
        Func<TAcc, TAcc, TAcc> merge,
        Func<DateTimeOffset, DateTimeOffset, TKey, TAcc, bool, TOut> result)
        : base(parent, name)
    {
        _table = EventWindowTable<TKey, TAcc>.Create(name, window, slide, options);
        _key = key;
        _create = create;
        _add = add;
        _merge = merge;
        _result = result;
    }

    public override int OpenEntryCount => _table.Count;

    private protected override string Kind => "eventWindow";

    private protected override void Step(BatchTime time, List<Timestamped<T>> records, long? watermark, BatchBuilder<TOut> output)
    {
        // 1. Pre-aggregate the batch by (window, key): user code, the state untouched.
        var batch = new Dictionary<(long Start, TKey Key), TAcc>();
        var order = new List<(long Start, TKey Key)>();
        foreach (var record in records)
        {
            var key = _key(record.Value);
            for (var start = EventTicks.LastStart(record.Ticks, _table.Slide); start > record.Ticks - _table.Window; start -= _table.Slide)
            {
                ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(batch, (start, key), out var exists);
                if (exists)
                {
                    slot = _add(slot!, record.Value);
                }
                else
                {
                    slot = _create(record.Value);
                    order.Add((start, key));
                }
            }
        }

        // 2. Merge with the open windows (user code, results kept aside), then commit, emit and evict (no user code).
        _table.Commit(_table.Merge(batch, order, _merge), watermark, _result, output);
    }

    private protected override void WriteEntries(Utf8JsonWriter writer, JsonSerializerOptions options) => _table.WriteEntries(writer, options);

    private protected override Action ReadEntries(JsonElement entries, JsonSerializerOptions options) => _table.ReadEntries(entries, options);
}
