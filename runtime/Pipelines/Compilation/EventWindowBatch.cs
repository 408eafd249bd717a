using System.ComponentModel;
using System.Runtime.InteropServices;
using Pipelines.EventTime;

namespace Pipelines.Compilation;

/// <summary>
/// What a generated <see cref="IEventWindowStage{TIn, TRecord, TKey, TAcc}"/> writes for one batch: the event times it
/// saw (for the watermark), the late records, and the on-time records pre-aggregated by (window start, key). Event
/// times and window starts are UTC ticks (<see cref="DateTimeOffset.UtcTicks"/>); windows are aligned to the Unix epoch.
/// Created and reused by the runtime; called by generated code only.
/// </summary>
/// <typeparam name="TRecord">The records the window operator reads.</typeparam>
/// <typeparam name="TKey">The key of the aggregates.</typeparam>
/// <typeparam name="TAcc">The aggregate of one key in one window.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class EventWindowBatch<TRecord, TKey, TAcc>
    where TKey : notnull
{
    private readonly Dictionary<(long Start, TKey Key), TAcc> _aggregates = [];
    private readonly List<(long Start, TKey Key)> _order = [];
    private readonly List<TRecord> _late = [];
    private long? _watermark;

    internal EventWindowBatch(long window, long slide)
    {
        WindowTicks = window;
        SlideTicks = slide;
    }

    /// <summary>The window length, in ticks.</summary>
    public long WindowTicks { get; }

    /// <summary>The window slide, in ticks.</summary>
    public long SlideTicks { get; }

    /// <summary>The latest event time <see cref="Observe"/> saw in this batch, or <c>null</c>.</summary>
    internal long? MaxEventTicks { get; private set; }

    internal Dictionary<(long Start, TKey Key), TAcc> Aggregates => _aggregates;

    internal List<(long Start, TKey Key)> Order => _order;

    internal List<TRecord> Late => _late;

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
    /// <returns><c>true</c> when the record must go to <see cref="AddLate"/> instead of a window.</returns>
    public bool IsLate(long eventTicks) => _watermark is { } w && eventTicks < w;

    /// <summary>Sets a late record aside: it is counted and handed to the side output, never aggregated.</summary>
    /// <param name="record">The late record.</param>
    public void AddLate(TRecord record) => _late.Add(record);

    /// <summary>
    /// The start of the last window containing <paramref name="eventTicks"/>; the record belongs to every window from
    /// it back by <see cref="SlideTicks"/> while the start is after <c>eventTicks - WindowTicks</c>.
    /// </summary>
    /// <param name="eventTicks">The record's event time, in UTC ticks.</param>
    /// <returns>The window start, in UTC ticks.</returns>
    public long LastWindowStart(long eventTicks) => EventTicks.LastStart(eventTicks, SlideTicks);

    /// <summary>
    /// The aggregate of <paramref name="key"/> in the window starting at <paramref name="windowStart"/> for this batch,
    /// by reference: set it when <paramref name="exists"/> is <c>false</c>, combine into it otherwise.
    /// </summary>
    /// <param name="windowStart">The window start, from <see cref="LastWindowStart"/>.</param>
    /// <param name="key">The key (a constant for unkeyed windows).</param>
    /// <param name="exists">Whether this batch already had an aggregate for the window and key.</param>
    /// <returns>A reference to the aggregate, valid until the next call.</returns>
    public ref TAcc GetOrAdd(long windowStart, TKey key, out bool exists)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_aggregates, (windowStart, key), out exists);
        if (!exists)
        {
            _order.Add((windowStart, key));
        }

        return ref slot!;
    }

    /// <summary>Empties the table for the next batch, with the watermark in force before it.</summary>
    internal void Begin(long? watermark, bool observeOnly = false)
    {
        ObserveOnly = observeOnly;
        _watermark = watermark;
        MaxEventTicks = null;
        _aggregates.Clear();
        _order.Clear();
        _late.Clear();
    }
}
