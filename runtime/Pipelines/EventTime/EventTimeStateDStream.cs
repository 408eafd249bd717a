using System.Text.Json;
using Pipelines.Stateful;

namespace Pipelines.EventTime;

/// <summary>A key's state and the latest event time seen for it (<c>null</c> for an initial state no record touched yet).</summary>
internal readonly record struct EventTimeStateEntry<TState>(TState State, long? LastEvent);

/// <summary>
/// <c>MapWithState</c> on an event-time stream: the mapping function runs for each on-time record, in order, and the
/// timeout is measured in event time: a key times out (the function runs once more, timing out, and the key is removed)
/// in the first batch that does not touch it after the watermark reached its latest event time plus the timeout.
/// </summary>
internal sealed class EventTimeStateDStream<TKey, TValue, TState, TMapped> : EventTimeAggregateDStream<TMapped, (TKey Key, TValue Value)>
    where TKey : notnull
{
    private readonly Func<BatchTime, TKey, Optional<TValue>, State<TState>, Optional<TMapped>> _function;
    private readonly long? _timeout;
    private Dictionary<TKey, EventTimeStateEntry<TState>> _store = [];
    private int _count;

    public EventTimeStateDStream(EventTimeDStream<(TKey Key, TValue Value)> parent, StateSpec<TKey, TValue, TState, TMapped> spec)
        : base(parent, "MapWithState")
    {
        _function = spec.MappingFunction;
        _timeout = spec.TimeoutDuration?.Ticks;
        foreach (var (key, state) in spec.InitialStateEntries ?? [])
        {
            _store[key] = new EventTimeStateEntry<TState>(state, null);
        }

        _count = _store.Count;
    }

    public override int OpenEntryCount => Volatile.Read(ref _count);

    private protected override string Kind => "eventTimeState";

    private protected override void Step(BatchTime time, List<Timestamped<(TKey Key, TValue Value)>> records, long? watermark, BatchBuilder<TMapped> output)
    {
        // Changes go to an overlay (null = removed) so that a throwing function leaves the state untouched.
        var changes = new Dictionary<TKey, EventTimeStateEntry<TState>?>();
        var mapped = new List<TMapped>();
        var state = new State<TState>();
        foreach (var record in records)
        {
            var (key, value) = record.Value;
            var current = Current(changes, key);
            state.Wrap(current is { } entry ? entry.State : Optional<TState>.None);
            var returned = _function(time, key, value, state);
            var lastEvent = current?.LastEvent is { } seen && seen > record.Ticks ? seen : record.Ticks;
            if (state.IsRemoved)
            {
                changes[key] = null;
            }
            else if (state.Exists)
            {
                changes[key] = new EventTimeStateEntry<TState>(state.Get(), lastEvent);
            }

            if (returned.HasValue)
            {
                mapped.Add(returned.Value);
            }
        }

        if (_timeout is { } timeout && watermark is { } w)
        {
            var timingOut = new List<(TKey Key, TState State)>();
            foreach (var (key, entry) in _store)
            {
                if (!changes.ContainsKey(key) && entry.LastEvent is { } last && last + timeout <= w)
                {
                    timingOut.Add((key, entry.State));
                }
            }

            foreach (var (key, idle) in timingOut)
            {
                state.WrapTimingOut(idle);
                var returned = _function(time, key, Optional<TValue>.None, state);
                changes[key] = null;
                if (returned.HasValue)
                {
                    mapped.Add(returned.Value);
                }
            }
        }

        // Commit: no user code below.
        StateChanges.Apply(changes, _store);

        Volatile.Write(ref _count, _store.Count);
        foreach (var record in mapped)
        {
            output.Add(record);
        }
    }

    private EventTimeStateEntry<TState>? Current(Dictionary<TKey, EventTimeStateEntry<TState>?> changes, TKey key)
    {
        if (changes.TryGetValue(key, out var change))
        {
            return change;
        }

        return _store.TryGetValue(key, out var existing) ? existing : null;
    }

    private protected override void WriteEntries(Utf8JsonWriter writer, JsonSerializerOptions options)
    {
        var keyType = EventTimeCheckpoint.TypeInfo<TKey>(options);
        var stateType = EventTimeCheckpoint.TypeInfo<TState>(options);
        writer.WriteStartArray();
        foreach (var (key, entry) in _store)
        {
            writer.WriteStartArray();
            JsonSerializer.Serialize(writer, key, keyType);
            JsonSerializer.Serialize(writer, entry.State, stateType);
            if (entry.LastEvent is { } last)
            {
                writer.WriteNumberValue(last);
            }
            else
            {
                writer.WriteNullValue();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndArray();
    }

    private protected override Action ReadEntries(JsonElement entries, JsonSerializerOptions options)
    {
        var keyType = EventTimeCheckpoint.TypeInfo<TKey>(options);
        var stateType = EventTimeCheckpoint.TypeInfo<TState>(options);
        var store = new Dictionary<TKey, EventTimeStateEntry<TState>>();
        const string What = "the event-time keyed state";
        foreach (var entry in entries.EnumerateArray())
        {
            EventTimeCheckpoint.RequireFields(entry, 3, What, store.Count);
            var key = EventTimeCheckpoint.ReadKey(entry[0], keyType, What, store.Count);
            long? last = entry[2].ValueKind == JsonValueKind.Null ? null : entry[2].GetInt64();
            if (!store.TryAdd(key, new EventTimeStateEntry<TState>(entry[1].Deserialize(stateType)!, last)))
            {
                throw new InvalidDataException($"{What} holds the key {key} twice");
            }
        }

        return () =>
        {
            _store = store;
            Volatile.Write(ref _count, store.Count);
        };
    }
}
