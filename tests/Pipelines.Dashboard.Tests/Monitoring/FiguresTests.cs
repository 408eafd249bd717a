using System.Net;
using System.Text.Json;
using Pipelines.Dashboard.Tests.Support;

namespace Pipelines.Dashboard.Tests.Monitoring;

/// <summary>/api/status carries what Spark does not show, and its numbers are the core's.</summary>
public sealed class FiguresTests
{
    [Fact]
    public async Task Status_reports_the_figures_the_core_describes()
    {
        await using var job = new FiguresJob();
        await job.RunBatchAsync("a b c a", "d");
        var last = await job.RunBatchAsync("e a");

        var status = await job.Http.GetFromJsonElementAsync("/api/status");
        var figures = status.GetProperty("figures");
        var streams = job.Context.DescribeStreams();
        var inputs = job.Context.DescribeInputs();
        var checkpoint = job.Events.Checkpoints.Last();

        Assert.Equal(streams.Count, figures.GetProperty("streams").GetArrayLength());
        foreach (var stream in streams)
        {
            var view = figures.GetProperty("streams")[stream.Id];
            Assert.Equal(stream.Name, view.GetProperty("name").GetString());
            Assert.Equal(stream.Kind.ToString(), view.GetProperty("kind").GetString());
            Assert.Equal(stream.StateKeys, NullableInt64(view.GetProperty("stateKeys")));
            Assert.Equal(stream.EstimatedStateBytes, NullableInt64(view.GetProperty("stateBytes")));
            Assert.Equal(stream.WindowBatchesHeld, NullableInt64(view.GetProperty("windowBatches")));
            Assert.Equal(stream.Partitions, NullableInt64(view.GetProperty("partitions")));
            var timing = job.Events.Streams.Last(e => e.StreamId == stream.Id && e.BatchTime == last);
            Assert.Equal(timing.OwnTime.TotalMilliseconds, view.GetProperty("lastOwnTimeMs").GetDouble());
        }

        var map = streams.Single(s => s.Name == "Map");
        Assert.Equal(2 * FiguresJob.PerRecord.TotalMilliseconds, figures.GetProperty("streams")[map.Id].GetProperty("lastOwnTimeMs").GetDouble());
        Assert.Equal(5, streams.Single(s => s.Kind == StreamKind.State).StateKeys); // a b c d e
        Assert.Equal(3, figures.GetProperty("maxPartitions").GetInt32());
        Assert.Equal(checkpoint.Bytes, figures.GetProperty("checkpoint").GetProperty("bytes").GetInt64());
        Assert.Equal(last.Milliseconds, figures.GetProperty("checkpoint").GetProperty("time").GetInt64());
        Assert.Equal(inputs[0].WriteAheadLogBytes, figures.GetProperty("writeAheadLogBytes").GetInt64());
        Assert.Equal(5000, figures.GetProperty("inputs")[0].GetProperty("rateLimit").GetDouble());
        Assert.True(inputs[0].WriteAheadLogBytes > 0);

        // Per-input rates from the batches' InputRecords: 2 lines, then 1, over two 1 s batches.
        var input = figures.GetProperty("inputs")[0];
        Assert.Equal(1, input.GetProperty("lastRecords").GetInt64());
        Assert.Equal(3, input.GetProperty("totalRecords").GetInt64());
        Assert.Equal(1.5, input.GetProperty("recordsPerSecond").GetDouble());
        Assert.Equal([2L, 1L], job.Events.Completed.Select(b => b.InputRecords[inputs[0].InputId]));
        Assert.Equal(job.Context.Options.Parallelism, figures.GetProperty("parallelism").GetInt32());
    }

    [Fact]
    public async Task The_dashboard_stops_with_its_context()
    {
        var job = new FiguresJob();
        await job.RunBatchAsync("a");
        using (var before = await job.Http.GetAsync("/api/status"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await job.Context.StopAsync();

        await Assert.ThrowsAsync<HttpRequestException>(() => job.Http.GetAsync("/api/status"));
        await job.DisposeAsync();
    }

    [Fact]
    public async Task A_dashboard_that_outlives_its_context_shows_the_final_figures()
    {
        var job = new FiguresJob(new DashboardOptions { Port = 0, StopWithContext = false });
        await job.RunBatchAsync("a b");
        await job.Context.StopAsync();

        var status = await job.Http.GetFromJsonElementAsync("/api/status");

        Assert.Equal("Stopped", status.GetProperty("state").GetString());
        Assert.Equal(job.Context.DescribeStreams().Count, status.GetProperty("figures").GetProperty("streams").GetArrayLength());
        await job.DisposeAsync();
    }

    private static long? NullableInt64(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.GetInt64();
}

internal static class HttpJson
{
    public static async Task<JsonElement> GetFromJsonElementAsync(this HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
