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
    private readonly long _window;
    private readonly long _slide;
    private readonly bool _early;
    private readonly Func<T, TKey> _key;
    private readonly Func<T, TAcc> _create;
    private readonly Func<TAcc, T, TAcc> _add;
    private readonly Func<TAcc, TAcc, TAcc> _merge;
    private readonly Func<DateTimeOffset, DateTimeOffset, TKey, TAcc, bool, TOut> _result;

    /// <summary>The open windows by start, each with its keys' aggregates in the order the keys first came.</summary>
    private SortedDictionary<long, Dictionary<TKey, TAcc>> _open = [];
    private int _entries;

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
        _window = EventTicks.Positive(window, nameof(window));
        _slide = EventTicks.Positive(slide ?? window, nameof(slide));
        if (_slide > _window)
        {
            throw new ArgumentOutOfRangeException(nameof(slide), slide, $"{name} needs a slide ({slide}) no longer than the window ({window}); records between windows would belong to none.");
        }

        _early = (options ?? EventWindowOptions.Default).EmitEarlyResults;
        _key = key;
        _create = create;
        _add = add;
        _merge = merge;
        _result = result;
    }

    public override int OpenEntryCount => Volatile.Read(ref _entries);

    private protected override string Kind => "eventWindow";

    private protected override void Step(BatchTime time, List<Timestamped<T>> records, long? watermark, BatchBuilder<TOut> output)
    {
        // 1. Pre-aggregate the batch by (window, key): user code, the state untouched.
        var batch = new Dictionary<(long Start, TKey Key), TAcc>();
        var order = new List<(long Start, TKey Key)>();
        foreach (var record in records)
        {
            var key = _key(record.Value);
            for (var start = EventTicks.LastStart(record.Ticks, _slide); start > record.Ticks - _window; start -= _slide)
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

        // 2. Merge with the open windows: user code, results kept aside.
        var merged = new List<(long Start, TKey Key, TAcc Acc)>(order.Count);
        foreach (var slot in order)
        {
            var acc = batch[slot];
            if (_open.TryGetValue(slot.Start, out var keys) && keys.TryGetValue(slot.Key, out var existing))
            {
                acc = _merge(existing, acc);
            }

            merged.Add((slot.Start, slot.Key, acc));
        }

        // 3. Commit, emit what the watermark passed and evict it: no user code below.
        foreach (var (start, key, acc) in merged)
        {
            if (!_open.TryGetValue(start, out var keys))
            {
                _open[start] = keys = [];
            }

            if (keys.TryAdd(key, acc))
            {
                _entries++;
            }
            else
            {
                keys[key] = acc;
            }
        }

        HashSet<(long, TKey)>? final = null;
        while (watermark is { } w && _open.Count > 0)
        {
            var (start, keys) = _open.First();
            if (start + _window > w)
            {
                break;
            }

            foreach (var (key, acc) in keys)
            {
                output.Add(_result(EventTicks.ToTime(start), EventTicks.ToTime(start + _window), key, acc, true));
                if (_early)
                {
                    (final ??= []).Add((start, key));
                }
            }

            _entries -= keys.Count;
            _open.Remove(start);
        }

        if (_early)
        {
            foreach (var (start, key, acc) in merged)
            {
                if (final is null || !final.Contains((start, key)))
                {
                    output.Add(_result(EventTicks.ToTime(start), EventTicks.ToTime(start + _window), key, acc, false));
                }
            }
        }

        Volatile.Write(ref _entries, _entries);
    }

    private protected override void WriteEntries(Utf8JsonWriter writer, JsonSerializerOptions options)
    {
        var keyType = EventTimeCheckpoint.TypeInfo<TKey>(options);
        var accType = EventTimeCheckpoint.TypeInfo<TAcc>(options);
        writer.WriteStartArray();
        foreach (var (start, keys) in _open)
        {
            foreach (var (key, acc) in keys)
            {
                writer.WriteStartArray();
                writer.WriteNumberValue(start);
                JsonSerializer.Serialize(writer, key, keyType);
                JsonSerializer.Serialize(writer, acc, accType);
                writer.WriteEndArray();
            }
        }

        writer.WriteEndArray();
    }

    private protected override Action ReadEntries(JsonElement entries, JsonSerializerOptions options)
    {
        var keyType = EventTimeCheckpoint.TypeInfo<TKey>(options);
        var accType = EventTimeCheckpoint.TypeInfo<TAcc>(options);
        var open = new SortedDictionary<long, Dictionary<TKey, TAcc>>();
        var count = 0;
        const string What = "the open event-time windows";
        foreach (var entry in entries.EnumerateArray())
        {
            EventTimeCheckpoint.RequireFields(entry, 3, What, count);
            var start = entry[0].GetInt64();
            if ((start - EventTicks.Epoch) % _slide != 0)
            {
                throw new InvalidDataException($"entry {count} of {What} starts at {start} ticks, which is not a multiple of the slide ({TimeSpan.FromTicks(_slide)}): the window changed");
            }

            var key = EventTimeCheckpoint.ReadKey(entry[1], keyType, What, count);
            if (!open.TryGetValue(start, out var keys))
            {
                open[start] = keys = [];
            }

            if (!keys.TryAdd(key, entry[2].Deserialize(accType)!))
            {
                throw new InvalidDataException($"{What} hold the key {key} twice in the window starting at {start} ticks");
            }

            count++;
        }

        return () =>
        {
            _open = open;
            Volatile.Write(ref _entries, count);
        };
    }
}
