using Pipelines.Dashboard.Tests.Support;

namespace Pipelines.Dashboard.Tests.Monitoring;

public sealed class HistoryTests
{
    [Fact]
    public async Task History_stays_bounded_after_many_batches_while_totals_count_them_all()
    {
        const int Retained = 25;
        const int Batches = 1500;
        await using var job = new DashboardJob(
            new DashboardOptions { Port = 0, RetainedBatches = Retained },
            new ResultsDashboardOptions { RetainedBatches = 30, MaxRows = 3 });
        for (var i = 0; i < Batches; i++)
        {
            await job.RunBatchAsync([$"w{i % 7} w{i % 5} x"]);
        }

        var snapshot = await job.GetJsonAsync("/api/snapshot");
        var statistics = snapshot.GetProperty("statistics");
        var completed = statistics.GetProperty("completed");

        Assert.Equal(Retained, completed.GetArrayLength());
        Assert.Equal(Batches, statistics.GetProperty("totals").GetProperty("completedBatches").GetInt64());
        Assert.Equal(Batches, statistics.GetProperty("totals").GetProperty("records").GetInt64());
        // Records are the input's: one line per batch.
        // The retained batches are the newest ones, oldest first.
        var times = completed.EnumerateArray().Select(b => b.GetProperty("time").GetInt64()).ToArray();
        var last = job.Events.Completed[^1].BatchTime.Milliseconds;
        Assert.Equal(Enumerable.Range(0, Retained).Select(k => last - (Retained - 1 - k) * 1000L), times);
        Assert.Equal(0, statistics.GetProperty("active").GetArrayLength());
        // The result board's chart history is bounded too.
        var series = snapshot.GetProperty("results")[0].GetProperty("series");
        Assert.NotEqual(0, series.GetArrayLength());
        Assert.All(series.EnumerateArray(), s => Assert.Equal(30, s.GetProperty("points").GetArrayLength()));
    }
}
