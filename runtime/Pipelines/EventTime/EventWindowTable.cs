using System.Runtime.InteropServices;
using System.Text.Json;

namespace Pipelines.EventTime;

/// <summary>
/// The open windows of an event-time window operator, by start, each with its keys' aggregates in the order the keys
/// first came; shared by the interpreted operator and the compiled one (whose generated stage pre-aggregates a batch).
/// </summary>
internal sealed class EventWindowTable<TKey, TAcc>
    where TKey : notnull
{
    private SortedDictionary<long, Dictionary<TKey, TAcc>> _open = [];
    private int _entries;

    public EventWindowTable(long window, long slide, bool early)
    {
        Window = window;
        Slide = slide;
        Early = early;
    }

    /// <summary>A table for the operator <paramref name="name"/>, its window and slide checked.</summary>
    public static EventWindowTable<TKey, TAcc> Create(string name, TimeSpan window, TimeSpan? slide, EventWindowOptions? options)
    {
        var windowTicks = EventTicks.Positive(window, nameof(window));
        var slideTicks = EventTicks.Positive(slide ?? window, nameof(slide));
        if (slideTicks > windowTicks)
        {
            throw new ArgumentOutOfRangeException(nameof(slide), slide, $"{name} needs a slide ({slide}) no longer than the window ({window}); records between windows would belong to none.");
        }

        return new EventWindowTable<TKey, TAcc>(windowTicks, slideTicks, (options ?? EventWindowOptions.Default).EmitEarlyResults);
    }

    public long Window { get; }

    public long Slide { get; }

    public bool Early { get; }

    public int Count => Volatile.Read(ref _entries);

    /// <summary>
    /// Merges a batch's pre-aggregates (in first-seen order) with the open windows' values through
    /// <paramref name="merge"/> (user code): the table is untouched, the results kept aside for <see cref="Commit"/>.
    /// </summary>
    public List<(long Start, TKey Key, TAcc Acc)> Merge(Dictionary<(long Start, TKey Key), TAcc> batch, List<(long Start, TKey Key)> order, Func<TAcc, TAcc, TAcc> merge)
    {
        var merged = new List<(long Start, TKey Key, TAcc Acc)>(order.Count);
        foreach (var slot in order)
        {
            var acc = batch[slot];
            if (_open.TryGetValue(slot.Start, out var keys) && keys.TryGetValue(slot.Key, out var existing))
            {
                acc = merge(existing, acc);
            }

            merged.Add((slot.Start, slot.Key, acc));
        }

        return merged;
    }

    /// <summary>
    /// Writes <paramref name="merged"/> into the open windows, emits (final) the windows <paramref name="watermark"/>
    /// passed and evicts them, then, if asked, emits the changed windows still open as early results. No user code.
    /// </summary>
    public void Commit<TOut>(List<(long Start, TKey Key, TAcc Acc)> merged, long? watermark, Func<DateTimeOffset, DateTimeOffset, TKey, TAcc, bool, TOut> result, BatchBuilder<TOut> output)
    {
        foreach (var (start, key, acc) in merged)
        {
            if (!_open.TryGetValue(start, out var keys))
            {
                _open[start] = keys = [];
            }

            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(keys, key, out var exists);
            slot = acc;
            if (!exists)
            {
                _entries++;
            }
        }

        HashSet<(long, TKey)>? final = null;
        while (watermark is { } w && _open.Count > 0)
        {
            var (start, keys) = _open.First();
            if (start + Window > w)
            {
                break;
            }

            foreach (var (key, acc) in keys)
            {
                output.Add(result(EventTicks.ToTime(start), EventTicks.ToTime(start + Window), key, acc, true));
                if (Early)
                {
                    (final ??= []).Add((start, key));
                }
            }

            _entries -= keys.Count;
            _open.Remove(start);
        }

        if (Early)
        {
            foreach (var (start, key, acc) in merged)
            {
                if (final is null || !final.Contains((start, key)))
                {
                    output.Add(result(EventTicks.ToTime(start), EventTicks.ToTime(start + Window), key, acc, false));
                }
            }
        }

        Volatile.Write(ref _entries, _entries);
    }

    public void WriteEntries(Utf8JsonWriter writer, JsonSerializerOptions options)
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

    public Action ReadEntries(JsonElement entries, JsonSerializerOptions options)
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
            if ((start - EventTicks.Epoch) % Slide != 0)
            {
                throw new InvalidDataException($"entry {count} of {What} starts at {start} ticks, which is not a multiple of the slide ({TimeSpan.FromTicks(Slide)}): the window changed");
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
