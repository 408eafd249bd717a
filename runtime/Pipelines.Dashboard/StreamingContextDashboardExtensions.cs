using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipelines.Dashboard.Hosting;

namespace Pipelines.Dashboard;

/// <summary>Serves a streaming context's dashboard page.</summary>
public static class StreamingContextDashboardExtensions
{
    private const int MinimumTokenLength = 16;

    /// <summary>
    /// Starts a web server (Kestrel) that shows <paramref name="context"/>'s batches live: Spark's Streaming tab
    /// (input rate, scheduling delay, processing time and total delay as timelines and histograms; active and
    /// completed batches; receivers), a health verdict (also as JSON at <c>/api/status</c>) and the streams
    /// pushed with <see cref="DStreamDashboardExtensions.ToDashboard"/>. Call it before
    /// <see cref="StreamingContext.Start"/> to see every batch. By default it listens on 127.0.0.1:4040; the
    /// address is logged and is <see cref="DashboardServer.Url"/>.
    /// </summary>
    /// <example>
    /// <code>
    /// await using var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
    /// // ... define the streams and outputs ...
    /// await using var dashboard = ssc.UseDashboard(new DashboardOptions { Port = 0 });
    /// Console.WriteLine($"Dashboard: {dashboard.Url}");
    /// ssc.Start();
    /// </code>
    /// </example>
    /// <param name="context">The context to show.</param>
    /// <param name="options">Address, port, token and history; <c>null</c> for the defaults.</param>
    /// <returns>The running server; dispose it to stop serving.</returns>
    /// <exception cref="ArgumentException">The address is not loopback and no token (of at least 16 characters) is set, or a setting is out of range.</exception>
    /// <exception cref="IOException">The port is in use.</exception>
    public static DashboardServer UseDashboard(this StreamingContext context, DashboardOptions? options = null) =>
        context.UseDashboardAsync(options).GetAwaiter().GetResult();

    /// <summary>The asynchronous form of <see cref="UseDashboard"/>.</summary>
    /// <param name="context">The context to show.</param>
    /// <param name="options">Address, port, token and history; <c>null</c> for the defaults.</param>
    /// <param name="cancellationToken">Cancels starting the server.</param>
    /// <returns>The running server; dispose it to stop serving.</returns>
    /// <exception cref="ArgumentException">The address is not loopback and no token (of at least 16 characters) is set, or a setting is out of range.</exception>
    /// <exception cref="IOException">The port is in use.</exception>
    public static async Task<DashboardServer> UseDashboardAsync(this StreamingContext context, DashboardOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        options ??= new DashboardOptions();
        Validate(options);

        var hub = DashboardHub.For(context);
        hub.Statistics.Retain(options.RetainedBatches);
        // An empty host: no appsettings.json, environment variables or Kestrel section of the application it
        // runs in can add endpoints or change the address; logs go to the context's logger factory.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(DashboardServer).Assembly.GetName().Name });
        builder.Services.AddLogging();
        builder.Services.AddSingleton(context.Options.LoggerFactory);
        builder.Services.AddRouting();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(options.Address, options.Port);
        });

        var app = builder.Build();
        var stopping = new CancellationTokenSource();
        DashboardEndpoints.Map(app, hub, options, stopping.Token);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            stopping.Dispose();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The dashboard server started but reported no address.");
        var url = new Uri(address.EndsWith('/') ? address : address + "/");
        context.Options.LoggerFactory.CreateLogger("Pipelines.Dashboard").LogInformation(
            "Pipelines dashboard listening on {Url}{Access}", url, IPAddress.IsLoopback(options.Address) ? "" : " (token required)");
        return new DashboardServer(app, stopping, url);
    }

    private static void Validate(DashboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options.Address, nameof(options.Address));
        if (options.Port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Port, "DashboardOptions.Port must be between 0 (any free port) and 65535.");
        }

        if (options.RetainedBatches < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.RetainedBatches, "DashboardOptions.RetainedBatches must be at least 1.");
        }

        if (options.Token is { } token && token.Length < MinimumTokenLength)
        {
            throw new ArgumentException($"DashboardOptions.Token must be at least {MinimumTokenLength} characters; use a random secret, e.g. Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).", nameof(options));
        }

        if (!IPAddress.IsLoopback(options.Address) && options.Token is null)
        {
            throw new ArgumentException(
                $"The dashboard would listen on {options.Address}, which other machines can reach, without a token. Set DashboardOptions.Token to a secret (callers then send it as 'Authorization: Bearer TOKEN' or open the page with ?token=TOKEN), or keep the default loopback address.",
                nameof(options));
        }
    }
}
