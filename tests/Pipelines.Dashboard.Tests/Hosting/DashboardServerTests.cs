using System.Net;
using System.Net.Http.Headers;
using Pipelines.Dashboard.Tests.Support;

namespace Pipelines.Dashboard.Tests.Hosting;

public sealed class DashboardServerTests
{
    private const string Token = "0123456789abcdef-test-token";

    [Fact]
    public async Task Listens_on_loopback_on_a_free_port_and_reports_the_url()
    {
        await using var job = new DashboardJob();

        Assert.Equal("127.0.0.1", job.Server.Url.Host);
        Assert.NotEqual(0, job.Server.Url.Port);
        using var page = await job.Http.GetAsync("/");
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<script src=\"dashboard.js\"", html, StringComparison.Ordinal);
        // Self-contained: nothing is loaded from another origin, and the browser is told to refuse it.
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var script = await job.Http.GetStringAsync("/dashboard.js");
        Assert.Contains("EventSource", script, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_non_loopback_address_without_a_token_is_refused_before_anything_listens()
    {
        await using var context = new StreamingContext(TimeSpan.FromSeconds(1));

        var error = Assert.Throws<ArgumentException>(() => context.UseDashboard(new DashboardOptions { Address = IPAddress.Any, Port = 0 }));

        Assert.Contains("without a token", error.Message, StringComparison.Ordinal);
        Assert.Contains("DashboardOptions.Token", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_short_token_is_refused()
    {
        await using var context = new StreamingContext(TimeSpan.FromSeconds(1));

        var error = Assert.Throws<ArgumentException>(() => context.UseDashboard(new DashboardOptions { Address = IPAddress.Any, Port = 0, Token = "short" }));

        Assert.Contains("at least 16 characters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_in_use_fails_with_an_IO_error()
    {
        await using var first = new DashboardJob();
        await using var context = new StreamingContext(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAnyAsync<IOException>(() => context.UseDashboardAsync(new DashboardOptions { Port = first.Server.Url.Port }));
    }

    [Fact]
    public async Task Stop_is_refused_without_a_configured_token()
    {
        await using var job = new DashboardJob();

        using var response = await job.Http.PostAsync("/api/stop", null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(StreamingContextState.Active, job.Context.State);
        var snapshot = await job.GetJsonAsync("/api/snapshot");
        Assert.False(snapshot.GetProperty("stopEnabled").GetBoolean());
    }

    [Fact]
    public async Task Stop_needs_the_token_in_the_authorization_header_and_then_stops_the_job()
    {
        await using var job = new DashboardJob(new DashboardOptions { Port = 0, Token = Token });

        using (var anonymous = await job.Http.PostAsync("/api/stop", null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using (var wrong = new HttpRequestMessage(HttpMethod.Post, "/api/stop"))
        {
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token + "x");
            using var response = await job.Http.SendAsync(wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        // The token in the query string (what a link or another site's form could carry) does not stop the job.
        using (var query = await job.Http.PostAsync("/api/stop?token=" + Token, null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, query.StatusCode);
        }

        Assert.Equal(StreamingContextState.Active, job.Context.State);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/stop");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var accepted = await job.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        await job.Context.AwaitTerminationAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(StreamingContextState.Stopped, job.Context.State);
    }

    [Fact]
    public async Task Server_sent_events_announce_each_change()
    {
        await using var job = new DashboardJob();
        using var events = await job.Http.GetStreamAsync("/api/events");
        using var reader = new StreamReader(events);

        var first = await ReadVersionAsync(reader);
        await job.RunBatchAsync(["a b"]);
        var next = await ReadVersionAsync(reader);

        Assert.True(next > first, $"Version {next} should follow {first}.");
    }

    private static async Task<long> ReadVersionAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                return long.Parse(line["data: ".Length..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new EndOfStreamException("The event stream ended.");
    }
}
