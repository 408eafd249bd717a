using System.Text.Json;

namespace Pipelines.EventTime;

/// <summary>One open session of a key: [Start, End) where End is the last event time plus the gap.</summary>
internal readonly record struct Session<TValue>(long Start, long End, TValue Value);

/// <summary>
/// The open sessions of a session-window operator, per key (sorted by start, never overlapping), and the merge of one
/// batch into them; shared by the interpreted operator and the compiled one, whose generated stage adds its on-time
/// records straight into <see cref="Add"/>. A batch is merged into copies of the touched keys' sessions (user code
/// runs there), then committed (no user code), so a reducer that throws leaves the state as it was.
/// </summary>
internal sealed class SessionTable<TKey, TValue>
    where TKey : notnull
{
    /// <summary>The touched keys of the current batch: their sessions merged with the batch so far, and (when early results are asked for) the starts of the sessions the batch changed.</summary>
    private readonly Dictionary<TKey, (List<Session<TValue>> Sessions, HashSet<long>? Touched)> _changed = [];
    private readonly List<TKey> _emptied = [];

    /// <summary>Emptied session lists, reused for the next batches' copies (a key's list leaves the table when a copy replaces it or its last session closes).</summary>
    private readonly Stack<List<Session<TValue>>> _free = new();
    private Dictionary<TKey, List<Session<TValue>>> _open = [];
    private int _sessions;

    public SessionTable(TimeSpan gap, EventWindowOptions? options)
    {
        Gap = EventTicks.Positive(gap, nameof(gap));
        Early = (options ?? EventWindowOptions.Default).EmitEarlyResults;
    }

    /// <summary>The gap, in ticks: a record at t opens the session [t, t + gap).</summary>
    public long Gap { get; }

    /// <summary>Whether the sessions a batch touched and the watermark did not close are emitted early (not final).</summary>
    public bool Early { get; }

    /// <summary>The open sessions, over all keys.</summary>
    public int Count => Volatile.Read(ref _sessions);

    /// <summary>Starts a batch: forgets what an earlier batch merged and did not commit (its user code threw).</summary>
    public void Begin()
    {
        foreach (var (_, (sessions, _)) in _changed)
        {
            Release(sessions);
        }

        _changed.Clear();
    }

    /// <summary>
    /// Merges an on-time record into the batch's copy of its key's sessions: it opens [t, t + gap) and every session it
    /// overlaps folds into it, values reduced in start order (the record after a session starting at the same time).
    /// </summary>
    public void Add(TKey key, long ticks, TValue value, Func<TValue, TValue, TValue> reduce)
    {
        if (!_changed.TryGetValue(key, out var working))
        {
            var copy = _free.TryPop(out var reused) ? reused : [];
            if (_open.TryGetValue(key, out var existing))
            {
                copy.AddRange(existing);
            }

            working = (copy, Early ? [] : null);
            _changed[key] = working;
        }

        var sessions = working.Sessions;
        var end = ticks + Gap;
        var first = 0;
        while (first < sessions.Count && sessions[first].End <= ticks)
        {
            first++;
        }

        var last = first;
        while (last < sessions.Count && sessions[last].Start < end)
        {
            last++;
        }

        var merged = new Session<TValue>(ticks, end, value);
        if (last > first)
        {
            // sessions[first..last) overlap the new one: fold them in, in start order, the record after equal starts.
            var placed = false;
            var acc = default(TValue)!;
            var any = false;
            for (var i = first; i < last; i++)
            {
                if (!placed && sessions[i].Start > ticks)
                {
                    acc = any ? reduce(acc, value) : value;
                    any = placed = true;
                }

                acc = any ? reduce(acc, sessions[i].Value) : sessions[i].Value;
                any = true;
                working.Touched?.Remove(sessions[i].Start);
            }

            if (!placed)
            {
                acc = reduce(acc, value);
            }

            merged = new Session<TValue>(Math.Min(ticks, sessions[first].Start), Math.Max(end, sessions[last - 1].End), acc);
            sessions.RemoveRange(first, last - first);
        }

        sessions.Insert(first, merged);
        working.Touched?.Add(merged.Start);
    }

    /// <summary>
    /// Commits the batch (no user code): the touched keys' merged sessions replace theirs; then the sessions
    /// <paramref name="watermark"/> reached are emitted (final) and evicted, and, if asked, the touched ones still open
    /// are emitted early.
    /// </summary>
    public void Commit(long? watermark, BatchBuilder<EventWindow<TKey, TValue>> output)
    {
        foreach (var (key, (sessions, _)) in _changed)
        {
            if (_open.TryGetValue(key, out var before))
            {
                _sessions -= before.Count;
                Release(before);
            }

            _sessions += sessions.Count;
            _open[key] = sessions;
        }

        if (watermark is { } w)
        {
            _emptied.Clear();
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
                        _emptied.Add(key);
                    }
                }
            }

            foreach (var key in _emptied)
            {
                if (_open.Remove(key, out var emptied))
                {
                    Release(emptied);
                }
            }

            _emptied.Clear();
        }

        if (Early)
        {
            foreach (var (key, (sessions, touched)) in _changed)
            {
                foreach (var session in sessions)
                {
                    if (touched!.Contains(session.Start) && (watermark is not { } w2 || session.End > w2))
                    {
                        output.Add(new EventWindow<TKey, TValue>(EventTicks.ToTime(session.Start), EventTicks.ToTime(session.End), key, session.Value, false));
                    }
                }
            }
        }

        _changed.Clear();
        Volatile.Write(ref _sessions, _sessions);
    }

    /// <summary>Keeps a list no longer in the table for a later copy (emptied; at most as many as the table has keys, at least 1,024).</summary>
    private void Release(List<Session<TValue>> sessions)
    {
        if (_free.Count < Math.Max(1024, _open.Count))
        {
            sessions.Clear();
            _free.Push(sessions);
        }
    }

    /// <summary>Writes the open sessions as a JSON array of [key, start, end, value].</summary>
    public void WriteEntries(Utf8JsonWriter writer, JsonSerializerOptions options)
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

    /// <summary>Reads and checks what <see cref="WriteEntries"/> wrote; returns the step that loads it.</summary>
    public Action ReadEntries(JsonElement entries, JsonSerializerOptions options)
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
            if (session.End - session.Start < Gap)
            {
                throw new InvalidDataException($"entry {count} of {What} is shorter than the gap ({TimeSpan.FromTicks(Gap)}): the gap changed");
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
            _changed.Clear();
            Volatile.Write(ref _sessions, count);
        };
    }
}
