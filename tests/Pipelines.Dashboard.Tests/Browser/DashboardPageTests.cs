using System.Globalization;
using Microsoft.Playwright;
using Pipelines.Dashboard.Tests.Support;

namespace Pipelines.Dashboard.Tests.Browser;

/// <summary>
/// Headless Chromium on the real page: the numbers it renders are the listener's, it updates without a reload,
/// it keeps a bounded history, and its stop button works only with the token. Waits are Playwright's waits for
/// selectors and text, never sleeps.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardPageTests(BrowserFixture browser)
{
    private const string Token = "0123456789abcdef-page-token";
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);
    private readonly List<string> _pageErrors = [];

    [BrowserFact]
    public async Task The_page_renders_the_listener_figures_and_updates_live()
    {
        await using var job = new DashboardJob(new DashboardOptions { Port = 0, Title = "Word count" });
        var page = await OpenAsync(job);
        var seen = new List<BatchInfo>
        {
            await job.RunBatchAsync(["to be or not to be", "that is the question"], work: 120 * Ms),
            await job.RunBatchAsync(["be"], work: 480 * Ms),
        };

        // Live: the page was loaded before these batches and shows them without a reload.
        foreach (var batch in seen)
        {
            await AssertRowAsync(page, batch);
        }

        await Expect(page.Locator("#total-completed")).ToHaveTextAsync("2");
        await Expect(page.Locator("#total-records")).ToHaveTextAsync("3");
        await Expect(page.Locator("#verdict")).ToHaveTextAsync("keeping up");
        await Expect(page.Locator("#title")).ToHaveTextAsync("Word count");
        await Expect(page.Locator("[data-metric=processingTime] .avg-value")).ToHaveTextAsync("300");
        await Expect(page.Locator("[data-metric=inputRate] .avg-value")).ToHaveTextAsync("1.5");
        Assert.Equal(4, await page.Locator("svg.timeline").CountAsync() - 1); // four metrics plus the result chart
        Assert.Equal(4, await page.Locator("svg.histogram").CountAsync());

        // The results board: the latest batch's word counts as a table.
        var board = page.Locator(".result[data-board='0']");
        await Expect(board.Locator("h2")).ToContainTextAsync("Top words");
        await Expect(board.Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(board.Locator("tbody tr").First).ToHaveTextAsync("be1");

        var third = await job.RunBatchAsync(["a b a"], work: 60 * Ms);
        await AssertRowAsync(page, third);
        await Expect(page.Locator("#total-completed")).ToHaveTextAsync("3");
        await Expect(board.Locator("tbody tr").First).ToHaveTextAsync("a2");
        await Expect(page.Locator("#live")).ToHaveTextAsync("live");
        Assert.Empty(_pageErrors);
    }

    [BrowserFact]
    public async Task A_longer_run_draws_every_retained_batch_in_the_charts_and_tables()
    {
        await using var job = new DashboardJob(
            new DashboardOptions { Port = 0, Title = "WordCount" },
            new ResultsDashboardOptions { Columns = ["Word", "Count"], MaxRows = 8 });
        var page = await OpenAsync(job);
        var random = new Random(18);
        string[] words = ["spark", "stream", "batch", "window", "state", "kafka", "dstream", "pipeline"];
        BatchInfo last = null!;
        for (var i = 0; i < 40; i++)
        {
            var lines = Enumerable.Range(0, 5 + random.Next(20))
                .Select(_ => string.Join(' ', Enumerable.Range(0, 1 + random.Next(6)).Select(_ => words[(int)Math.Sqrt(random.Next(words.Length * words.Length))])))
                .ToArray();
            last = await job.RunBatchAsync(lines, work: (100 + random.Next(500)) * Ms);
        }

        await AssertRowAsync(page, last);
        await Expect(page.Locator("#completed tbody tr")).ToHaveCountAsync(40);
        // One dot per batch on each metric's timeline.
        await Expect(page.Locator("[data-metric=processingTime] svg.timeline circle")).ToHaveCountAsync(40);
        var average = job.Events.Completed.Average(b => b.ProcessingDelay!.Value.TotalMilliseconds);
        await Expect(page.Locator("[data-metric=processingTime] .avg-value")).ToHaveTextAsync(Math.Round(average, 1).ToString(CultureInfo.InvariantCulture));
        await Expect(page.Locator(".result tbody tr")).ToHaveCountAsync(8);
        await Expect(page.Locator(".result svg.timeline polyline")).ToHaveCountAsync(5);
        Assert.Empty(_pageErrors);
        await ScreenshotAsync(page, "dashboard.png");
    }

    [BrowserFact]
    public async Task The_page_keeps_only_the_retained_batches()
    {
        await using var job = new DashboardJob(new DashboardOptions { Port = 0, RetainedBatches = 5 });
        var page = await OpenAsync(job);
        BatchInfo last = null!;
        for (var i = 0; i < 12; i++)
        {
            last = await job.RunBatchAsync([$"w{i}"], work: 10 * Ms);
        }

        await AssertRowAsync(page, last);
        await Expect(page.Locator("#total-completed")).ToHaveTextAsync("12");
        await Expect(page.Locator("#completed tbody tr")).ToHaveCountAsync(5);
        await Expect(page.Locator("#completed-note")).ToContainTextAsync("at most 5 retained");
        // The oldest shown is the 8th batch; the 7th is gone.
        var times = job.Events.Completed.Select(b => b.BatchTime.Milliseconds).ToArray();
        await Expect(page.Locator($"#completed tr[data-time='{times[7]}']")).ToHaveCountAsync(1);
        await Expect(page.Locator($"#completed tr[data-time='{times[6]}']")).ToHaveCountAsync(0);
    }

    [BrowserFact]
    public async Task A_failed_batch_shows_its_exception()
    {
        await using var job = new DashboardJob();
        var page = await OpenAsync(job);
        await job.RunBatchAsync(["ok"]);
        var failed = await job.RunBatchAsync(["bad"], failure: new InvalidDataException("record 7 is not UTF-8"));

        var row = page.Locator($"#completed tr[data-time='{failed.BatchTime.Milliseconds}']");
        await Expect(row.Locator(".status summary")).ToHaveTextAsync("failed: System.IO.InvalidDataException");
        await row.Locator(".status summary").ClickAsync();
        await Expect(row.Locator(".status div")).ToHaveTextAsync("record 7 is not UTF-8");
        await Expect(row.Locator(".outputs summary")).ToHaveTextAsync("1/2 succeeded");
        await Expect(page.Locator("#verdict")).ToHaveTextAsync("failing");
        await Expect(page.Locator("#total-failed")).ToHaveTextAsync("1");
        await Expect(page.Locator("#reasons li")).ToContainTextAsync("record 7 is not UTF-8");
        await ScreenshotAsync(page, "dashboard-failure.png");
    }

    [BrowserFact]
    public async Task The_stop_button_is_absent_without_a_token()
    {
        await using var job = new DashboardJob();
        var page = await OpenAsync(job);
        await job.RunBatchAsync(["a"]);

        await Expect(page.Locator("#total-completed")).ToHaveTextAsync("1");
        await Expect(page.Locator("#stop")).ToBeHiddenAsync();
    }

    [BrowserFact]
    public async Task The_stop_button_with_the_token_stops_the_job()
    {
        await using var job = new DashboardJob(new DashboardOptions { Port = 0, Token = Token });
        var page = await OpenAsync(job, "?token=" + Token);
        await job.RunBatchAsync(["a"]);
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();

        await page.Locator("#stop").ClickAsync();

        await job.Context.AwaitTerminationAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(StreamingContextState.Stopped, job.Context.State);
        await Expect(page.Locator("#stop")).ToBeHiddenAsync();
    }

    private async Task<IPage> OpenAsync(DashboardJob job, string query = "")
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        // Script errors and Content-Security-Policy refusals (e.g. an inline style) show as console errors.
        page.PageError += (_, error) => _pageErrors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                _pageErrors.Add($"{message.Text} ({message.Location})");
            }
        };
        await page.GotoAsync(new Uri(job.Server.Url, query).ToString());
        // The first snapshot is drawn and the event stream is open.
        await Expect(page.Locator("#verdict")).Not.ToHaveTextAsync("");
        await page.WaitForFunctionAsync("document.body.getAttribute('data-version') !== '-1'");
        Assert.Empty(_pageErrors);
        return page;
    }

    private static async Task AssertRowAsync(IPage page, BatchInfo batch)
    {
        var row = page.Locator($"#completed tr[data-time='{batch.BatchTime.Milliseconds}']");
        await Expect(row.Locator(".records")).ToHaveTextAsync(batch.NumRecords.ToString(CultureInfo.InvariantCulture));
        await Expect(row.Locator(".scheduling")).ToHaveTextAsync(Milliseconds(batch.SchedulingDelay));
        await Expect(row.Locator(".processing")).ToHaveTextAsync(Milliseconds(batch.ProcessingDelay));
        await Expect(row.Locator(".total")).ToHaveTextAsync(Milliseconds(batch.TotalDelay));
        await Expect(row.Locator(".status")).ToHaveTextAsync(batch.Failure is null ? "succeeded" : "failed");
    }

    private static string Milliseconds(TimeSpan? duration) =>
        duration is { } d ? Math.Round(d.TotalMilliseconds, 1).ToString(CultureInfo.InvariantCulture) + " ms" : "–";

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    /// <summary>Writes a screenshot when PIPELINES_SCREENSHOTS names a folder (docs/images is made this way).</summary>
    private static async Task ScreenshotAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("PIPELINES_SCREENSHOTS") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name), FullPage = true });
        }
    }
}
