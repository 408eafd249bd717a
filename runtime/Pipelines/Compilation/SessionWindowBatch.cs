using System.ComponentModel;
using Pipelines.EventTime;

namespace Pipelines.Compilation;

/// <summary>
/// What a generated <see cref="ISessionWindowStage{TIn, TKey, TValue}"/> writes for one batch: the event times it saw
/// (for the watermark), the late records, and the on-time records, each merged at once into the batch's copy of its
/// key's open sessions (a record at t opens [t, t + gap) and absorbs every session it overlaps, values reduced with
/// <see cref="ISessionWindowStage{TIn, TKey, TValue}.Reduce"/> in start order). The runtime commits the copies after the
/// stage returned, so a stage that throws leaves the sessions as they were. Event times are UTC ticks
/// (<see cref="DateTimeOffset.UtcTicks"/>). Created and reused by the runtime; called by generated code only.
/// </summary>
/// <typeparam name="TKey">The key of the sessions.</typeparam>
/// <typeparam name="TValue">The values the sessions reduce.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class SessionWindowBatch<TKey, TValue>
    where TKey : notnull
{
    private readonly SessionTable<TKey, TValue> _table;
    private readonly Func<TValue, TValue, TValue> _reduce;
    private readonly List<(TKey Key, TValue Value)> _late = [];
    private long? _watermark;

    internal SessionWindowBatch(SessionTable<TKey, TValue> table, Func<TValue, TValue, TValue> reduce)
    {
        _table = table;
        _reduce = reduce;
    }

    /// <summary>The session gap, in ticks: records of a key less than this apart share a session.</summary>
    public long GapTicks => _table.Gap;

    /// <summary>The latest event time <see cref="Observe"/> saw in this batch, or <c>null</c>.</summary>
    internal long? MaxEventTicks { get; private set; }

    internal List<(TKey Key, TValue Value)> Late => _late;

    /// <summary>Reports a record's event time (at <c>WithEventTime</c>, before any filter): the watermark follows the latest one.</summary>
    /// <param name="eventTicks">The record's event time, in UTC ticks.</param>
    public void Observe(long eventTicks)
    {
        if (MaxEventTicks is not { } max || eventTicks > max)
        {
            MaxEventTicks = eventTicks;
        }
    }

    /// <summary>
    /// Whether the stage must only report event times (<see cref="Observe"/>) and skip everything after
    /// <c>WithEventTime</c>: the runtime runs the loop so after a batch failed, since the interpreted
    /// <c>WithEventTime</c> still moved the watermark when an operator after it threw.
    /// </summary>
    public bool ObserveOnly { get; private set; }

    /// <summary>Whether a record with this event time is late: before the watermark in force when the batch arrived.</summary>
    /// <param name="eventTicks">The record's event time, in UTC ticks.</param>
    /// <returns><c>true</c> when the record must go to <see cref="AddLate"/> instead of <see cref="Add"/>.</returns>
    public bool IsLate(long eventTicks) => _watermark is { } w && eventTicks < w;

    /// <summary>Sets a late record aside: it is counted and handed to the side output, never added to a session.</summary>
    /// <param name="record">The late record.</param>
    public void AddLate((TKey Key, TValue Value) record) => _late.Add(record);

    /// <summary>
    /// Adds an on-time record to its key's sessions for this batch: it opens [<paramref name="eventTicks"/>,
    /// <paramref name="eventTicks"/> + <see cref="GapTicks"/>) and merges with every session (open or opened earlier in the
    /// batch) it overlaps. Records must be added in the order the interpreted operator reads them (the batch's order).
    /// </summary>
    /// <param name="key">The record's key.</param>
    /// <param name="eventTicks">The record's event time, in UTC ticks.</param>
    /// <param name="value">The record's value.</param>
    public void Add(TKey key, long eventTicks, TValue value) => _table.Add(key, eventTicks, value, _reduce);

    /// <summary>Starts the next batch, with the watermark in force before it.</summary>
    internal void Begin(long? watermark, bool observeOnly = false)
    {
        ObserveOnly = observeOnly;
        _watermark = watermark;
        MaxEventTicks = null;
        _late.Clear();
        _table.Begin();
    }
}
