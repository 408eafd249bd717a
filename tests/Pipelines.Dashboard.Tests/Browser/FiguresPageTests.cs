using System.Globalization;
using Microsoft.Playwright;
using Pipelines.Dashboard.Tests.Support;

namespace Pipelines.Dashboard.Tests.Browser;

/// <summary>
/// Headless Chromium on the page's "Streams" and "Inputs" sections and its checkpoint and write-ahead log cards: the
/// rendered numbers are what the core reports (listener events, <see cref="StreamingContext.DescribeStreams"/>,
/// <see cref="StreamingContext.DescribeInputs"/>), and they update live.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class FiguresPageTests(BrowserFixture browser)
{
    private readonly List<string> _pageErrors = [];

    [BrowserFact]
    public async Task The_page_shows_per_stream_time_state_windows_partitions_inputs_and_checkpoints()
    {
        await using var job = new FiguresJob();
        var page = await OpenAsync(job.Server.Url);
        await job.RunBatchAsync("to be or not to be", "that is the question");
        var last = await job.RunBatchAsync("be quick");
        await Expect(page.Locator("#total-completed")).ToHaveTextAsync("2");

        var streams = job.Context.DescribeStreams();
        foreach (var stream in streams)
        {
            var row = page.Locator($"#streams tr[data-stream-id='{stream.Id}']");
            var timing = job.Events.Streams.Last(e => e.StreamId == stream.Id && e.BatchTime == last);
            await Expect(row.Locator(".name")).ToHaveTextAsync(stream.Name);
            await Expect(row.Locator(".own-last")).ToHaveTextAsync(Ms(timing.OwnTime.TotalMilliseconds));
            await Expect(row.Locator(".records")).ToHaveTextAsync(timing.Records.ToString(CultureInfo.InvariantCulture));
            await Expect(row.Locator(".partitions")).ToHaveTextAsync(stream.Partitions?.ToString(CultureInfo.InvariantCulture) ?? "–");
            await Expect(row.Locator(".state-keys")).ToHaveTextAsync(stream.StateKeys?.ToString(CultureInfo.InvariantCulture) ?? "–");
            await Expect(row.Locator(".state-bytes")).ToHaveAttributeAsync("data-bytes", stream.EstimatedStateBytes?.ToString(CultureInfo.InvariantCulture) ?? "");
            await Expect(row.Locator(".window-held")).ToHaveAttributeAsync("data-batches", stream.WindowBatchesHeld?.ToString(CultureInfo.InvariantCulture) ?? "");
        }

        // The operator whose time is known: 3 ms per word, 2 words in the last batch, (10 + 2) / 2 words on average.
        var map = streams.Single(s => s.Name == "Map");
        await Expect(page.Locator($"#streams tr[data-stream-id='{map.Id}'] .own-last")).ToHaveTextAsync("6 ms");
        await Expect(page.Locator($"#streams tr[data-stream-id='{map.Id}'] .own-avg")).ToHaveTextAsync("18 ms");
        var state = streams.Single(s => s.Kind == StreamKind.State);
        await Expect(page.Locator($"#streams tr[data-stream-id='{state.Id}'] .state-keys")).ToHaveTextAsync("9"); // to be or not that is the question quick
        await Expect(page.Locator("#partitions")).ToHaveTextAsync("3");

        var input = job.Context.DescribeInputs()[0];
        var inputRow = page.Locator("#inputs tr[data-input-id='0']");
        await Expect(inputRow.Locator(".rate")).ToHaveTextAsync("5000 records/s");
        await Expect(inputRow.Locator(".last-records")).ToHaveTextAsync("1"); // "be quick"
        await Expect(inputRow.Locator(".total-records")).ToHaveTextAsync("3");
        await Expect(inputRow.Locator(".records-per-second")).ToHaveTextAsync("1.5"); // 3 lines over two 1 s batches
        await Expect(page.Locator("#receivers tr[data-stream='0'] .receiver-rate")).ToHaveTextAsync("1.5 records/s");
        await Expect(page.Locator("#receivers tr[data-stream='0'] .receiver-total")).ToHaveTextAsync("3");
        await Expect(page.Locator("#parallelism")).ToHaveTextAsync(job.Context.Options.Parallelism.ToString(CultureInfo.InvariantCulture));
        await Expect(inputRow.Locator(".wal")).ToHaveAttributeAsync("data-bytes", input.WriteAheadLogBytes!.Value.ToString(CultureInfo.InvariantCulture));
        await Expect(page.Locator("#wal")).ToHaveAttributeAsync("data-bytes", input.WriteAheadLogBytes!.Value.ToString(CultureInfo.InvariantCulture));

        var checkpoint = job.Events.Checkpoints.Last();
        Assert.Equal(last, checkpoint.Time);
        await Expect(page.Locator("#checkpoint")).ToHaveAttributeAsync("data-bytes", checkpoint.Bytes.ToString(CultureInfo.InvariantCulture));
        await Expect(page.Locator("#checkpoint")).ToHaveAttributeAsync("data-duration-ms", checkpoint.Duration.TotalMilliseconds.ToString(CultureInfo.InvariantCulture));
        await Expect(page.Locator("#checkpoint-note")).ToContainTextAsync($"{job.Events.Checkpoints.Count} written");

        // Live: one more batch moves the figures without a reload.
        var third = await job.RunBatchAsync("x y z w");
        var newest = job.Events.Streams.Last(e => e.StreamId == map.Id && e.BatchTime == third);
        await Expect(page.Locator($"#streams tr[data-stream-id='{map.Id}'] .own-last")).ToHaveTextAsync(Ms(newest.OwnTime.TotalMilliseconds));
        await Expect(page.Locator($"#streams tr[data-stream-id='{state.Id}'] .state-keys")).ToHaveTextAsync("13");
        await Expect(inputRow.Locator(".total-records")).ToHaveTextAsync("4");
        await Expect(inputRow.Locator(".records-per-second")).ToHaveTextAsync("1.3"); // 4 lines over three batches
        Assert.Empty(_pageErrors);
        await ScreenshotAsync(page, "dashboard-figures.png");
    }

    private async Task<IPage> OpenAsync(Uri url)
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => _pageErrors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                _pageErrors.Add($"{message.Text} ({message.Location})");
            }
        };
        await page.GotoAsync(url.ToString());
        // A locator wait, not WaitForFunction: polling a script string is eval, which the page's CSP refuses.
        await Expect(page.Locator("body")).Not.ToHaveAttributeAsync("data-version", "-1");
        Assert.Empty(_pageErrors);
        return page;
    }

    private static string Ms(double value) => Math.Round(value, 1).ToString(CultureInfo.InvariantCulture) + " ms";

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private static async Task ScreenshotAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("PIPELINES_SCREENSHOTS") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name), FullPage = true });
        }
    }
}
