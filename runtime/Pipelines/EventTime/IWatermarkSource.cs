namespace Pipelines.EventTime;

/// <summary>The watermark of an event-time stream at each batch: before the batch (what is late) and after it (what is complete).</summary>
internal interface IWatermarkSource
{
    /// <summary>The allowed delay: the watermark is the latest event time seen minus it.</summary>
    TimeSpan MaxDelay { get; }

    /// <summary>The watermark after the last computed batch, in ticks; <c>null</c> before any event.</summary>
    long? Current { get; }

    /// <summary>
    /// The watermark in force while the batch at <paramref name="time"/> ran (<c>Before</c>: records older are late) and
    /// after it (<c>After</c>: windows ending at or before it are complete). Asked after the batch at that time was computed.
    /// </summary>
    (long? Before, long? After) At(BatchTime time);
}
