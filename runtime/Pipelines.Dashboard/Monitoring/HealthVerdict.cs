using System.Globalization;

namespace Pipelines.Dashboard.Monitoring;

/// <summary>
/// The JSON of <c>/api/status</c>: whether the job keeps up, by Spark's rule (the processing time of a batch
/// stays below the batch interval, and the scheduling delay does not grow), and if not, what falls behind.
/// </summary>
/// <param name="Verdict"><c>keeping up</c>, <c>falling behind</c>, <c>failing</c> or <c>waiting</c> (no batch completed yet).</param>
/// <param name="KeepingUp">Whether the verdict is <c>keeping up</c>.</param>
/// <param name="Reasons">What falls behind or fails, one sentence each; empty when keeping up.</param>
/// <param name="State">The context's state: <c>Initialized</c>, <c>Active</c> or <c>Stopped</c>.</param>
/// <param name="BatchIntervalMs">The batch interval.</param>
/// <param name="WindowBatches">How many recent completed batches the verdict looked at.</param>
/// <param name="AverageProcessingTimeMs">Their average processing time.</param>
/// <param name="LastSchedulingDelayMs">The newest one's scheduling delay.</param>
/// <param name="QueuedBatches">Batches cut but not yet started.</param>
internal sealed record HealthVerdict(
    string Verdict,
    bool KeepingUp,
    IReadOnlyList<string> Reasons,
    string State,
    long BatchIntervalMs,
    int WindowBatches,
    double? AverageProcessingTimeMs,
    double? LastSchedulingDelayMs,
    int QueuedBatches)
{
    /// <summary>How many recent batches the verdict looks at.</summary>
    public const int Window = 10;

    public static HealthVerdict From(StatisticsSnapshot snapshot, StreamingContextState state)
    {
        var completed = snapshot.Completed;
        var count = Math.Min(Window, completed.Count);
        var queued = 0;
        foreach (var batch in snapshot.Active)
        {
            if (batch.State == "queued")
            {
                queued++;
            }
        }

        if (count == 0)
        {
            return new HealthVerdict("waiting", false, ["No batch has completed yet."], state.ToString(), snapshot.BatchIntervalMs, 0, null, null, queued);
        }

        var interval = (double)snapshot.BatchIntervalMs;
        var recent = new BatchView[count];
        for (var i = 0; i < count; i++)
        {
            recent[i] = completed[completed.Count - count + i];
        }

        var reasons = new List<string>();
        var failed = 0;
        var processing = 0.0;
        foreach (var batch in recent)
        {
            processing += batch.ProcessingTimeMs ?? 0;
            if (batch.Failure is not null)
            {
                failed++;
            }
        }

        var averageProcessing = processing / count;
        if (failed > 0)
        {
            reasons.Add(Format($"{failed} of the last {count} batches failed; the newest failure: {LastFailure(recent)}."));
        }

        if (averageProcessing >= interval)
        {
            reasons.Add(Format($"Processing time ({averageProcessing:0.#} ms on average over the last {count} batches) is not below the batch interval ({interval:0} ms): batches take longer than they arrive."));
        }

        // Spark's guide: a scheduling delay that keeps increasing means the job cannot keep up.
        if (count >= 4)
        {
            var half = count / 2;
            double first = 0, second = 0;
            for (var i = 0; i < half; i++)
            {
                first += recent[i].SchedulingDelayMs ?? 0;
                second += recent[count - half + i].SchedulingDelayMs ?? 0;
            }

            first /= half;
            second /= half;
            var oldest = recent[0].SchedulingDelayMs ?? 0;
            var newest = recent[^1].SchedulingDelayMs ?? 0;
            if (second - first > Math.Max(1, interval * 0.05) && newest > oldest)
            {
                reasons.Add(Format($"Scheduling delay is growing ({oldest:0.#} ms to {newest:0.#} ms over the last {count} batches): batches wait longer and longer to start."));
            }
        }

        if (queued > 1)
        {
            reasons.Add(Format($"{queued} batches are queued waiting to start."));
        }

        var verdict = reasons.Count == 0 ? "keeping up" : failed > 0 && reasons.Count == 1 ? "failing" : "falling behind";
        return new HealthVerdict(verdict, reasons.Count == 0, reasons, state.ToString(), snapshot.BatchIntervalMs, count, averageProcessing, recent[^1].SchedulingDelayMs, queued);
    }

    private static string LastFailure(BatchView[] recent)
    {
        for (var i = recent.Length - 1; i >= 0; i--)
        {
            if (recent[i].Failure is { } failure)
            {
                return $"{failure.Type}: {failure.Message}";
            }
        }

        return "";
    }

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
