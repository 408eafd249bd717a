namespace Pipelines;

/// <summary>
/// How receivers' intake is bounded (Spark's <c>spark.streaming.backpressure.*</c> and
/// <c>spark.streaming.receiver.maxRate</c>). With backpressure on, a PID controller lowers each receiver's rate
/// when batches take longer than the batch interval and raises it when they finish early.
/// </summary>
public sealed record BackpressureOptions
{
    /// <summary>Whether the rate adapts to processing speed. Off by default, as in Spark.</summary>
    public bool Enabled { get; init; }

    /// <summary>The highest rate, in records per second per receiver; <c>null</c> for no limit.</summary>
    public double? MaxRatePerReceiver { get; init; }

    /// <summary>The rate the first batch is received at while backpressure has no estimate yet; <c>null</c> for no limit.</summary>
    public double? InitialRate { get; init; }

    /// <summary>The weight of the current error (Spark: 1.0).</summary>
    public double Proportional { get; init; } = 1.0;

    /// <summary>The weight of the accumulated backlog (Spark: 0.2).</summary>
    public double Integral { get; init; } = 0.2;

    /// <summary>The weight of the error's change (Spark: 0.0).</summary>
    public double Derivative { get; init; }

    /// <summary>The rate never drops below this, in records per second (Spark: 100).</summary>
    public double MinRate { get; init; } = 100;

    internal void Validate()
    {
        if (MaxRatePerReceiver is <= 0 || InitialRate is <= 0 || MinRate <= 0 || Proportional < 0 || Integral < 0 || Derivative < 0)
        {
            throw new ArgumentException(
                "Backpressure rates must be positive and the PID weights must not be negative; check MaxRatePerReceiver, InitialRate, MinRate, Proportional, Integral and Derivative.");
        }
    }
}
