using System.Net;

namespace Pipelines.Dashboard;

/// <summary>Settings of the dashboard that <see cref="StreamingContextDashboardExtensions.UseDashboard"/> serves.</summary>
public sealed class DashboardOptions
{
    /// <summary>The default port, Spark's UI port.</summary>
    public const int DefaultPort = 4040;

    /// <summary>
    /// The address to listen on. Defaults to <see cref="IPAddress.Loopback"/> (127.0.0.1), reachable only from
    /// this machine. Any other address requires a <see cref="Token"/>.
    /// </summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>The port to listen on; 0 lets the system pick a free one (read it from <see cref="DashboardServer.Url"/>).</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>
    /// A secret that callers must present (<c>Authorization: Bearer TOKEN</c>, or <c>?token=TOKEN</c> once in the
    /// page's address). When set, the page offers a stop button, which works only with the token. Required, at
    /// least 16 characters, when <see cref="Address"/> is not a loopback address; then every request needs it.
    /// </summary>
    public string? Token { get; init; }

    /// <summary>Completed batches kept for the page (Spark's <c>spark.streaming.ui.retainedBatches</c>, default 1000).</summary>
    public int RetainedBatches { get; init; } = 1000;

    /// <summary>The page's title.</summary>
    public string Title { get; init; } = "Pipelines";
}
