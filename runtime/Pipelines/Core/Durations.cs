namespace Pipelines;

/// <summary>Argument checks for durations.</summary>
internal static class Durations
{
    public static void RequirePositiveMilliseconds(TimeSpan duration, string parameterName, string what)
    {
        if (duration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(parameterName, duration, $"The {what} must be positive, but was {duration}.");
        }

        if (duration.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            throw new ArgumentOutOfRangeException(parameterName, duration, $"The {what} must be a whole number of milliseconds, but was {duration}.");
        }
    }

    /// <summary>Checks that <paramref name="duration"/> is a multiple of <paramref name="unit"/>.</summary>
    public static void RequireMultiple(TimeSpan duration, string durationName, TimeSpan unit, string unitName, string parameterName)
    {
        RequirePositiveMilliseconds(duration, parameterName, durationName);
        if (duration.Ticks % unit.Ticks != 0)
        {
            throw new ArgumentException(
                $"The {durationName} ({duration}) must be a multiple of the {unitName} ({unit}).", parameterName);
        }
    }
}
