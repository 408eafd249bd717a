namespace Pipelines.EventTime;

/// <summary>
/// A stream's watermark and, per batch, the watermark before and after that batch (what downstream event-time
/// operators read with <see cref="At"/>): the one piece a source watermark and a combined watermark share. The
/// watermark only moves forward, once per batch time. Callers that keep more state feeding the watermark (the latest
/// event time, the inputs' last active batches) guard it with <see cref="Gate"/> too, so it changes together.
/// </summary>
internal sealed class WatermarkHistory
{
    private readonly SortedDictionary<BatchTime, (long? Before, long? After)> _entries = [];
    private long? _watermark;

    /// <summary>The lock that guards the history and the caller's own watermark state.</summary>
    public object Gate => _entries;

    /// <summary>The watermark now (ticks); <c>null</c> before the first.</summary>
    public long? Current
    {
        get
        {
            lock (Gate)
            {
                return _watermark;
            }
        }
    }

    /// <summary>The watermark before and after the batch at <paramref name="time"/>; the current one for a batch not recorded.</summary>
    public (long? Before, long? After) At(BatchTime time)
    {
        lock (Gate)
        {
            return _entries.TryGetValue(time, out var known) ? known : (_watermark, _watermark);
        }
    }

    /// <summary>Whether the batch at <paramref name="time"/> was recorded. Call under <see cref="Gate"/>.</summary>
    public bool Contains(BatchTime time) => _entries.ContainsKey(time);

    /// <summary>
    /// Records the batch at <paramref name="time"/>: the watermark moves to <paramref name="candidate"/> when that is
    /// later (never back; <c>null</c> keeps it). Call under <see cref="Gate"/>.
    /// </summary>
    public void Record(BatchTime time, long? candidate)
    {
        var before = _watermark;
        if (candidate is { } next && (_watermark is not { } current || next > current))
        {
            _watermark = next;
        }

        _entries[time] = (before, _watermark);
    }

    /// <summary>Forgets the batches before <paramref name="limit"/>.</summary>
    public void Trim(BatchTime limit)
    {
        lock (Gate)
        {
            while (_entries.Count > 0 && _entries.First().Key < limit)
            {
                _entries.Remove(_entries.First().Key);
            }
        }
    }

    /// <summary>Restores the watermark of a checkpoint taken at <paramref name="time"/>. Call under <see cref="Gate"/>.</summary>
    public void Reset(BatchTime time, long? watermark)
    {
        _watermark = watermark;
        _entries.Clear();
        _entries[time] = (watermark, watermark);
    }
}
