namespace Pipelines.Dashboard.Monitoring;

// The JSON shapes of /api/snapshot (camelCase); times are Unix milliseconds, durations milliseconds.

internal sealed record StatisticsSnapshot(
    long? ZeroTime,
    long BatchIntervalMs,
    int RetainedBatches,
    Totals Totals,
    IReadOnlyList<BatchView> Active,
    IReadOnlyList<BatchView> Completed,
    IReadOnlyList<ReceiverView> Receivers);

internal sealed record Totals(long CompletedBatches, long FailedBatches, long Records);

internal sealed record BatchView(
    long Time,
    long Records,
    string State,
    long SubmittedAt,
    double? SchedulingDelayMs,
    double? ProcessingTimeMs,
    double? TotalDelayMs,
    IReadOnlyList<OutputView> Outputs,
    FailureView? Failure);

internal sealed record OutputView(int Id, string Name, string State, double? DurationMs, FailureView? Failure);

internal sealed record ReceiverView(int StreamId, string Name, string State, long Errors, string? LastMessage, string? LastError, long? LastErrorAt);

internal sealed record FailureView(string Type, string Message, string Detail)
{
    public static FailureView From(Exception error) => new(error.GetType().FullName ?? error.GetType().Name, error.Message, error.ToString());
}
