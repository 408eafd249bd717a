using Microsoft.AspNetCore.Builder;

namespace Pipelines.Dashboard;

/// <summary>
/// A running dashboard (a Kestrel server). Dispose it to stop serving; the streaming context keeps running.
/// Create it with <see cref="StreamingContextDashboardExtensions.UseDashboard"/>.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping;
    private int _disposed;

    internal DashboardServer(WebApplication app, CancellationTokenSource stopping, Uri url)
    {
        _app = app;
        _stopping = stopping;
        Url = url;
    }

    /// <summary>The address the dashboard listens on, with the actual port (e.g. <c>http://127.0.0.1:4040/</c>).</summary>
    public Uri Url { get; }

    /// <summary>Stops serving: open pages stop updating.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Ends the server-sent event streams first, so that the server's stop does not wait for them.
        await _stopping.CancelAsync().ConfigureAwait(false);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
