using Pipelines.Dashboard.Monitoring;
using Pipelines.Dashboard.Tests.Support;

namespace Pipelines.Dashboard.Tests.Monitoring;

public sealed class StatusTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    [Fact]
    public async Task Status_is_waiting_before_any_batch()
    {
        await using var job = new DashboardJob();

        var status = await job.GetJsonAsync("/api/status");

        Assert.Equal("waiting", status.GetProperty("verdict").GetString());
        Assert.False(status.GetProperty("keepingUp").GetBoolean());
        Assert.Equal("Active", status.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Status_says_keeping_up_when_processing_stays_below_the_interval()
    {
        await using var job = new DashboardJob();
        for (var i = 0; i < 6; i++)
        {
            await job.RunBatchAsync(["a b", "b"], work: 300 * Ms);
        }

        var status = await job.GetJsonAsync("/api/status");

        Assert.Equal("keeping up", status.GetProperty("verdict").GetString());
        Assert.True(status.GetProperty("keepingUp").GetBoolean());
        Assert.Equal(0, status.GetProperty("reasons").GetArrayLength());
        Assert.Equal(300, status.GetProperty("averageProcessingTimeMs").GetDouble());
        Assert.Equal(1000, status.GetProperty("batchIntervalMs").GetInt64());
    }

    [Fact]
    public async Task Status_says_failing_and_names_the_exception_of_a_failed_batch()
    {
        await using var job = new DashboardJob();
        await job.RunBatchAsync(["a"]);
        await job.RunBatchAsync(["b"], failure: new InvalidDataException("bad record 42"));

        var status = await job.GetJsonAsync("/api/status");

        Assert.Equal("failing", status.GetProperty("verdict").GetString());
        var reason = Assert.Single(status.GetProperty("reasons").EnumerateArray()).GetString();
        Assert.Contains("1 of the last 2 batches failed", reason, StringComparison.Ordinal);
        Assert.Contains("System.IO.InvalidDataException: bad record 42", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Processing_slower_than_the_interval_is_falling_behind()
    {
        // Processing 1.5 s per 1 s batch: each batch waits 0.5 s longer than the one before.
        var batches = Enumerable.Range(1, 8).Select(i => Batch(i, scheduling: (i - 1) * 500, processing: 1500)).ToArray();

        var verdict = HealthVerdict.From(Snapshot(batches), StreamingContextState.Active);

        Assert.Equal("falling behind", verdict.Verdict);
        Assert.False(verdict.KeepingUp);
        Assert.Contains(verdict.Reasons, r => r.StartsWith("Processing time (1500 ms on average over the last 8 batches) is not below the batch interval (1000 ms)", StringComparison.Ordinal));
        Assert.Contains(verdict.Reasons, r => r.StartsWith("Scheduling delay is growing (0 ms to 3500 ms", StringComparison.Ordinal));
    }

    [Fact]
    public void A_growing_scheduling_delay_is_falling_behind_even_when_the_average_processing_time_fits()
    {
        // A burst of slow batches left a queue: processing is back under the interval but delays still grow.
        var batches = Enumerable.Range(1, 6).Select(i => Batch(i, scheduling: i * 200, processing: 900)).ToArray();

        var verdict = HealthVerdict.From(Snapshot(batches), StreamingContextState.Active);

        Assert.Equal("falling behind", verdict.Verdict);
        var reason = Assert.Single(verdict.Reasons);
        Assert.StartsWith("Scheduling delay is growing (200 ms to 1200 ms", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_steady_scheduling_delay_under_the_interval_is_keeping_up()
    {
        var batches = Enumerable.Range(1, 10).Select(i => Batch(i, scheduling: i % 2 == 0 ? 5 : 3, processing: 800)).ToArray();

        var verdict = HealthVerdict.From(Snapshot(batches), StreamingContextState.Active);

        Assert.Equal("keeping up", verdict.Verdict);
        Assert.True(verdict.KeepingUp);
        Assert.Empty(verdict.Reasons);
    }

    private static BatchView Batch(int index, double scheduling, double processing) =>
        new(index * 1000L, 10, "succeeded", index * 1000L, scheduling, processing, scheduling + processing, [], null);

    private static StatisticsSnapshot Snapshot(BatchView[] completed) =>
        new(0, 1000, 1000, new Totals(completed.Length, 0, 10 * completed.Length), [], completed, []);
}
