using System.Text.Json;
using Pipelines.Dashboard.Tests.Support;

namespace Pipelines.Dashboard.Tests.Results;

public sealed class ResultsDashboardTests
{
    [Fact]
    public async Task The_latest_batch_is_a_table_sorted_by_value_and_cut_to_MaxRows()
    {
        await using var job = new DashboardJob(results: new ResultsDashboardOptions { MaxRows = 2, Columns = ["Word", "Count"] });
        await job.RunBatchAsync(["x"]);
        var batch = await job.RunBatchAsync(["a b c b c c", "d"]);

        var board = (await job.GetJsonAsync("/api/snapshot")).GetProperty("results")[0];

        Assert.Equal("Top words", board.GetProperty("title").GetString());
        Assert.Equal(batch.BatchTime.Milliseconds, board.GetProperty("time").GetInt64());
        Assert.Equal(["Word", "Count"], board.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(4, board.GetProperty("totalRows").GetInt32());
        Assert.Equal([("c", 3.0), ("b", 2.0)], Rows(board));
    }

    [Fact]
    public async Task Numeric_values_become_one_time_series_per_label_over_the_retained_batches()
    {
        await using var job = new DashboardJob(results: new ResultsDashboardOptions { MaxSeries = 2, RetainedBatches = 3 });
        var times = new List<long>();
        foreach (var lines in new[] { new[] { "a a b" }, ["a b b b"], ["c"], ["a a a a b b"] })
        {
            times.Add((await job.RunBatchAsync(lines)).BatchTime.Milliseconds);
        }

        var board = (await job.GetJsonAsync("/api/snapshot")).GetProperty("results")[0];
        var series = board.GetProperty("series").EnumerateArray().ToDictionary(s => s.GetProperty("label").GetString()!, s => Points(s));

        // Lines for the latest batch's top rows (a, b), over the last three batches; 0 where a label was absent.
        Assert.Equal(["a", "b"], series.Keys.Order());
        Assert.Equal([(times[1], 1.0), (times[2], 0.0), (times[3], 4.0)], series["a"]);
        Assert.Equal([(times[1], 3.0), (times[2], 0.0), (times[3], 2.0)], series["b"]);
    }

    [Fact]
    public async Task A_stream_of_numbers_is_one_value_column_and_one_series()
    {
        await using var context = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = new Testing.ManualClock() });
        var input = context.QueueStream<int>([[3, 4], [5]]);
        input.Reduce((a, b) => a + b).ToDashboard("Sum");
        await using var server = context.UseDashboard(new DashboardOptions { Port = 0 });
        var events = new RecordingListener();
        context.AddStreamingListener(events);
        context.Start();
        var clock = (Testing.ManualClock)context.TimeProvider;
        clock.Advance(TimeSpan.FromSeconds(1));
        await events.WhenIdleAsync();
        clock.Advance(TimeSpan.FromSeconds(1));
        await events.WhenIdleAsync();

        using var http = new HttpClient { BaseAddress = server.Url };
        var board = JsonDocument.Parse(await http.GetStringAsync("/api/snapshot")).RootElement.GetProperty("results")[0];

        Assert.Equal(["Value"], board.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(5, board.GetProperty("rows")[0][0].GetDouble());
        var series = Assert.Single(board.GetProperty("series").EnumerateArray());
        Assert.Equal("Value", series.GetProperty("label").GetString());
        Assert.Equal([(1000L, 7.0), (2000L, 5.0)], Points(series));
    }

    [Fact]
    public async Task Records_show_their_properties_as_columns()
    {
        await using var context = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = new Testing.ManualClock() });
        context.QueueStream<Reading>([[new Reading("s1", 20.5), new Reading("s2", 21)]]).ToDashboard("Sensors");
        await using var server = context.UseDashboard(new DashboardOptions { Port = 0 });
        var events = new RecordingListener();
        context.AddStreamingListener(events);
        context.Start();
        ((Testing.ManualClock)context.TimeProvider).Advance(TimeSpan.FromSeconds(1));
        await events.WhenIdleAsync();

        using var http = new HttpClient { BaseAddress = server.Url };
        var board = JsonDocument.Parse(await http.GetStringAsync("/api/snapshot")).RootElement.GetProperty("results")[0];

        Assert.Equal(["Sensor", "Celsius"], board.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal([("s2", 21.0), ("s1", 20.5)], Rows(board));
    }

    [Fact]
    public async Task ToDashboard_after_start_is_refused_like_any_output()
    {
        await using var job = new DashboardJob();
        var error = Assert.Throws<InvalidOperationException>(() => job.Counts.ToDashboard("Late"));

        Assert.Contains("has been started", error.Message, StringComparison.Ordinal);
    }

    private static (string, double)[] Rows(JsonElement board) =>
        [.. board.GetProperty("rows").EnumerateArray().Select(r => (r[0].GetString()!, r[1].GetDouble()))];

    private static (long, double)[] Points(JsonElement series) =>
        [.. series.GetProperty("points").EnumerateArray().Select(p => ((long)p[0].GetDouble(), p[1].GetDouble()))];

    public sealed record Reading(string Sensor, double Celsius);
}
