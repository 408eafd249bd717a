namespace Pipelines;

/// <summary>The data checkpoint interval of a stream.</summary>
public abstract partial class DStream<T>
{
    /// <summary>
    /// Sets how often this stream's data (keyed state, window data) is saved in the context's checkpoints
    /// (Spark's <c>DStream.checkpoint</c>). Stateful streams default to the smallest multiple of their slide that
    /// is at least 10 seconds. Shorter intervals mean less to replay after a failure and more writing.
    /// </summary>
    /// <param name="interval">A positive multiple of <see cref="DStream.SlideDuration"/>.</param>
    /// <returns>This stream.</returns>
    /// <exception cref="ArgumentException">The interval is not a positive multiple of the slide.</exception>
    public DStream<T> Checkpoint(TimeSpan interval)
    {
        Durations.RequireMultiple(interval, "checkpoint interval", SlideDuration, "slide duration", nameof(interval));
        Context.SetCheckpointInterval(this, interval);
        return this;
    }
}
