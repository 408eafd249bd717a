using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Pipelines.Dashboard.Monitoring;
using Pipelines.Dashboard.Results;

namespace Pipelines.Dashboard.Hosting;

/// <summary>
/// The dashboard's routes: the page and its script and styles (embedded resources), <c>/api/snapshot</c> (what
/// the page draws), <c>/api/status</c> (the health verdict), <c>/api/events</c> (server-sent events, one per
/// change) and <c>POST /api/stop</c> (only with the token).
/// </summary>
internal static class DashboardEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Map(WebApplication app, DashboardHub hub, DashboardOptions options, CancellationToken stopping)
    {
        var guard = new TokenGuard(options.Token, requireForReads: !IPAddress.IsLoopback(options.Address));
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            // Everything the page uses comes from this server: no CDN, no inline script, no framing.
            headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
            headers.XContentTypeOptions = "nosniff";
            headers.CacheControl = "no-store";
            if (!guard.AllowsRead(context))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                headers.WWWAuthenticate = "Bearer";
                await context.Response.WriteAsync("This dashboard requires its token: open it with ?token=TOKEN or send 'Authorization: Bearer TOKEN'.", context.RequestAborted).ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        });

        app.MapGet("/", context => Resource(context, "index.html", "text/html; charset=utf-8"));
        app.MapGet("/dashboard.js", context => Resource(context, "dashboard.js", "text/javascript; charset=utf-8"));
        app.MapGet("/dashboard.css", context => Resource(context, "dashboard.css", "text/css; charset=utf-8"));
        app.MapGet("/api/snapshot", context => WriteJson(context, Snapshot(hub, options, guard)));
        app.MapGet("/api/status", context => WriteJson(context, HealthVerdict.From(hub.Statistics.Snapshot(), hub.Context.State)));
        app.MapGet("/api/events", context => StreamEventsAsync(context, hub, stopping));
        app.MapPost("/api/stop", context => StopAsync(context, hub, guard));
    }

    private static object Snapshot(DashboardHub hub, DashboardOptions options, TokenGuard guard)
    {
        var version = hub.Version;
        var statistics = hub.Statistics.Snapshot();
        var boards = hub.Boards();
        var results = new ResultView[boards.Count];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = boards[i].Snapshot();
        }

        return new
        {
            options.Title,
            Version = version,
            StopEnabled = guard.CanStop,
            Status = HealthVerdict.From(statistics, hub.Context.State),
            Statistics = statistics,
            Results = results,
        };
    }

    private static async Task StreamEventsAsync(HttpContext context, DashboardHub hub, CancellationToken stopping)
    {
        context.Response.ContentType = "text/event-stream";
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var token = linked.Token;
        var seen = -1L;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var version = hub.Version;
                if (version != seen)
                {
                    seen = version;
                    await context.Response.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"event: changed\ndata: {version}\n\n"), token).ConfigureAwait(false);
                    await context.Response.Body.FlushAsync(token).ConfigureAwait(false);
                }

                // A comment every 15 s keeps proxies from closing an idle stream.
                var changed = hub.WhenChangedAsync(seen, token);
                if (await Task.WhenAny(changed, Task.Delay(TimeSpan.FromSeconds(15), token)).ConfigureAwait(false) != changed)
                {
                    await context.Response.WriteAsync(": keep-alive\n\n", token).ConfigureAwait(false);
                    await context.Response.Body.FlushAsync(token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The page went away or the dashboard is stopping.
        }
    }

    private static async Task StopAsync(HttpContext context, DashboardHub hub, TokenGuard guard)
    {
        if (!guard.CanStop)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync("Stopping is disabled: the dashboard was started without DashboardOptions.Token.", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        if (!guard.AllowsAction(context))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await context.Response.WriteAsync("Stopping needs the dashboard's token in 'Authorization: Bearer TOKEN'.", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        // A graceful stop finishes the batches already cut; the answer does not wait for it.
        _ = hub.Context.StopAsync(graceful: true);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        await WriteJson(context, new { Stopping = true }).ConfigureAwait(false);
    }

    private static Task WriteJson<T>(HttpContext context, T value)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return JsonSerializer.SerializeAsync(context.Response.Body, value, Json, context.RequestAborted);
    }

    private static async Task Resource(HttpContext context, string name, string contentType)
    {
        await using var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream("wwwroot/" + name)
            ?? throw new InvalidOperationException($"The dashboard's resource {name} is missing from the assembly.");
        context.Response.ContentType = contentType;
        context.Response.ContentLength = stream.Length;
        await stream.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }
}
