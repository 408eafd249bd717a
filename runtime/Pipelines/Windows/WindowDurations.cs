using System.Globalization;

namespace Pipelines.Windows;

/// <summary>Definition-time checks of window and slide durations (Spark's <c>WindowedDStream</c> requirements).</summary>
internal static class WindowDurations
{
    /// <summary>
    /// Checks that <paramref name="windowDuration"/> and <paramref name="slideDuration"/> are positive whole
    /// milliseconds and multiples of <paramref name="parent"/>'s slide (hence of the batch interval).
    /// </summary>
    public static void Validate(DStream parent, string operation, TimeSpan windowDuration, TimeSpan slideDuration)
    {
        RequireMultipleOfParent(parent, operation, "window duration", windowDuration, nameof(windowDuration));
        RequireMultipleOfParent(parent, operation, "slide duration", slideDuration, nameof(slideDuration));
    }

    /// <summary>Spark's format for a duration: <c>2000 ms</c>.</summary>
    public static string Format(TimeSpan duration) =>
        string.Create(CultureInfo.InvariantCulture, $"{duration.Ticks / (double)TimeSpan.TicksPerMillisecond} ms");

    private static void RequireMultipleOfParent(DStream parent, string operation, string what, TimeSpan duration, string parameterName)
    {
        if (duration <= TimeSpan.Zero || duration.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            throw new ArgumentOutOfRangeException(
                parameterName, duration, $"{operation}: the {what} must be a positive whole number of milliseconds, but was {Format(duration)}.");
        }

        var unit = parent.SlideDuration;
        if (duration.Ticks % unit.Ticks != 0)
        {
            throw new ArgumentException(
                $"{operation}: the {what} ({Format(duration)}) must be a multiple of the parent stream's slide duration ({Format(unit)}), " +
                "which is the batch interval unless the parent is itself windowed. Choose a whole number of parent batches.",
                parameterName);
        }
    }
}
