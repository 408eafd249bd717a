using System.Text.Json;

namespace Pipelines.EventTime;

/// <summary>One open session of a key: [Start, End) where End is the last event time plus the gap.</summary>
internal readonly record struct Session<TValue>(long Start, long End, TValue Value);

/// <summary>
/// Session windows by event time, per key: a record opens a session [t, t + gap) and sessions that overlap merge,
/// within a batch and across batches. A session is emitted and evicted when the watermark reaches its end.
/// </summary>
internal sealed class SessionWindowDStream<TKey, TValue> : EventTimeAggregateDStream<EventWindow<TKey, TValue>, (TKey Key, TValue Value)>
    where TKey : notnull
{
    private readonly long _gap;
    private readonly bool _early;
    private readonly Func<TValue, TValue, TValue> _reduce;

    /// <summary>Each key's open sessions, sorted by start, not overlapping.</summary>
    private Dictionary<TKey, List<Session<TValue>>> _open = [];
    private int _sessions;

    public SessionWindowDStream(EventTimeDStream<(TKey Key, TValue Value)> parent, Func<TValue, TValue, TValue> reduce, TimeSpan gap, EventWindowOptions? options)
        : base(parent, "ReduceByKeyAndSessionWindow")
    {
        _gap = EventTicks.Positive(gap, nameof(gap));
        _early = (options ?? EventWindowOptions.Default).EmitEarlyResults;
        _reduce = reduce;
    }

    public override int OpenEntryCount => Volatile.Read(ref _sessions);

    private protected override string Kind => "sessionWindow";

    private protected override void Step(BatchTime time, List<Timestamped<(TKey Key, TValue Value)>> records, long? watermark, BatchBuilder<EventWindow<TKey, TValue>> output)
    {
        // 1. Merge the batch into copies of the touched keys' sessions: user code, the state untouched.
        var changed = new Dictionary<TKey, (List<Session<TValue>> Sessions, HashSet<long> Touched)>();
        foreach (var record in records)
        {
            var (key, value) = record.Value;
            if (!changed.TryGetValue(key, out var working))
            {
                working = (_open.TryGetValue(key, out var existing) ? [.. existing] : [], []);
                changed[key] = working;
            }

            var merged = new Session<TValue>(record.Ticks, record.Ticks + _gap, value);
            var sessions = working.Sessions;
            var first = 0;
            while (first < sessions.Count && sessions[first].End <= merged.Start)
            {
                first++;
            }

            var last = first;
            while (last < sessions.Count && sessions[last].Start < merged.End)
            {
                last++;
            }

            // sessions[first..last) overlap the new one: fold them in, in start order.
            if (last > first)
            {
                var earlier = new List<Session<TValue>>(last - first + 1);
                earlier.AddRange(sessions.GetRange(first, last - first));
                var at = earlier.FindIndex(s => s.Start > merged.Start);
                earlier.Insert(at < 0 ? earlier.Count : at, merged);
                var acc = earlier[0].Value;
                for (var i = 1; i < earlier.Count; i++)
                {
                    acc = _reduce(acc, earlier[i].Value);
                }

                merged = new Session<TValue>(Math.Min(merged.Start, sessions[first].Start), Math.Max(merged.End, sessions[last - 1].End), acc);
                for (var i = first; i < last; i++)
                {
                    working.Touched.Remove(sessions[i].Start);
                }

                sessions.RemoveRange(first, last - first);
            }

            sessions.Insert(first, merged);
            working.Touched.Add(merged.Start);
        }

        // 2. Commit: no user code below.
        foreach (var (key, (sessions, _)) in changed)
        {
            _sessions += sessions.Count - (_open.TryGetValue(key, out var before) ? before.Count : 0);
            _open[key] = sessions;
        }

        // 3. Emit and evict the sessions the watermark passed; then, if asked, the touched ones still open.
        if (watermark is { } w)
        {
            List<TKey>? emptied = null;
            foreach (var (key, sessions) in _open)
            {
                var closed = 0;
                while (closed < sessions.Count && sessions[closed].End <= w)
                {
                    var session = sessions[closed];
                    output.Add(new EventWindow<TKey, TValue>(EventTicks.ToTime(session.Start), EventTicks.ToTime(session.End), key, session.Value, true));
                    closed++;
                }

                if (closed > 0)
                {
                    sessions.RemoveRange(0, closed);
                    _sessions -= closed;
                    if (sessions.Count == 0)
                    {
                        (emptied ??= []).Add(key);
                    }
                }
            }

            if (emptied is not null)
            {
                foreach (var key in emptied)
                {
                    _open.Remove(key);
                }
            }
        }

        if (_early)
        {
            foreach (var (key, (sessions, touched)) in changed)
            {
                foreach (var session in sessions)
                {
                    if (touched.Contains(session.Start) && (watermark is not { } w2 || session.End > w2))
                    {
                        output.Add(new EventWindow<TKey, TValue>(EventTicks.ToTime(session.Start), EventTicks.ToTime(session.End), key, session.Value, false));
                    }
                }
            }
        }

        Volatile.Write(ref _sessions, _sessions);
    }

    private protected override void WriteEntries(Utf8JsonWriter writer, JsonSerializerOptions options)
    {
        var keyType = EventTimeCheckpoint.TypeInfo<TKey>(options);
        var valueType = EventTimeCheckpoint.TypeInfo<TValue>(options);
        writer.WriteStartArray();
        foreach (var (key, sessions) in _open)
        {
            foreach (var session in sessions)
            {
                writer.WriteStartArray();
                JsonSerializer.Serialize(writer, key, keyType);
                writer.WriteNumberValue(session.Start);
                writer.WriteNumberValue(session.End);
                JsonSerializer.Serialize(writer, session.Value, valueType);
                writer.WriteEndArray();
            }
        }

        writer.WriteEndArray();
    }

    private protected override Action ReadEntries(JsonElement entries, JsonSerializerOptions options)
    {
        var keyType = EventTimeCheckpoint.TypeInfo<TKey>(options);
        var valueType = EventTimeCheckpoint.TypeInfo<TValue>(options);
        var open = new Dictionary<TKey, List<Session<TValue>>>();
        var count = 0;
        const string What = "the open sessions";
        foreach (var entry in entries.EnumerateArray())
        {
            EventTimeCheckpoint.RequireFields(entry, 4, What, count);
            var key = EventTimeCheckpoint.ReadKey(entry[0], keyType, What, count);
            var session = new Session<TValue>(entry[1].GetInt64(), entry[2].GetInt64(), entry[3].Deserialize(valueType)!);
            if (session.End - session.Start < _gap)
            {
                throw new InvalidDataException($"entry {count} of {What} is shorter than the gap ({TimeSpan.FromTicks(_gap)}): the gap changed");
            }

            if (!open.TryGetValue(key, out var sessions))
            {
                open[key] = sessions = [];
            }

            if (sessions.Count > 0 && sessions[^1].End > session.Start)
            {
                throw new InvalidDataException($"entry {count} of {What} overlaps or precedes the session before it for the key {key}");
            }

            sessions.Add(session);
            count++;
        }

        return () =>
        {
            _open = open;
            Volatile.Write(ref _sessions, count);
        };
    }
}
