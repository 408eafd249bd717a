namespace Pipelines;

/// <summary>
/// The time of a batch, in milliseconds since the Unix epoch of the context's <see cref="TimeProvider"/>
/// (Spark's <c>Time</c>). A batch at time <c>t</c> holds what arrived in <c>(t - batchInterval, t]</c>.
/// </summary>
/// <param name="Milliseconds">Milliseconds since the Unix epoch.</param>
public readonly record struct BatchTime(long Milliseconds) : IComparable<BatchTime>
{
    /// <summary>Adds a duration.</summary>
    public static BatchTime operator +(BatchTime time, TimeSpan duration) => new(time.Milliseconds + ToMilliseconds(duration));

    /// <summary>Subtracts a duration.</summary>
    public static BatchTime operator -(BatchTime time, TimeSpan duration) => new(time.Milliseconds - ToMilliseconds(duration));

    /// <summary>The duration between two times.</summary>
    public static TimeSpan operator -(BatchTime left, BatchTime right) => TimeSpan.FromMilliseconds(left.Milliseconds - right.Milliseconds);

    /// <summary>Whether <paramref name="left"/> is earlier than <paramref name="right"/>.</summary>
    public static bool operator <(BatchTime left, BatchTime right) => left.Milliseconds < right.Milliseconds;

    /// <summary>Whether <paramref name="left"/> is later than <paramref name="right"/>.</summary>
    public static bool operator >(BatchTime left, BatchTime right) => left.Milliseconds > right.Milliseconds;

    /// <summary>Whether <paramref name="left"/> is earlier than or equal to <paramref name="right"/>.</summary>
    public static bool operator <=(BatchTime left, BatchTime right) => left.Milliseconds <= right.Milliseconds;

    /// <summary>Whether <paramref name="left"/> is later than or equal to <paramref name="right"/>.</summary>
    public static bool operator >=(BatchTime left, BatchTime right) => left.Milliseconds >= right.Milliseconds;

    /// <summary>The time as a <see cref="DateTimeOffset"/> in UTC.</summary>
    public DateTimeOffset ToDateTimeOffset() => DateTimeOffset.FromUnixTimeMilliseconds(Milliseconds);

    /// <summary>Creates a batch time from a point in time, truncated to whole milliseconds.</summary>
    public static BatchTime FromDateTimeOffset(DateTimeOffset time) => new(time.ToUnixTimeMilliseconds());

    /// <summary>Whether the time since <paramref name="zero"/> is a whole multiple of <paramref name="duration"/>.</summary>
    public bool IsMultipleOf(TimeSpan duration, BatchTime zero = default) =>
        (Milliseconds - zero.Milliseconds) % ToMilliseconds(duration) == 0;

    /// <inheritdoc />
    public int CompareTo(BatchTime other) => Milliseconds.CompareTo(other.Milliseconds);

    /// <summary>Spark's format: <c>1000 ms</c>.</summary>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Milliseconds} ms");

    internal static long ToMilliseconds(TimeSpan duration) => duration.Ticks / TimeSpan.TicksPerMillisecond;
}
