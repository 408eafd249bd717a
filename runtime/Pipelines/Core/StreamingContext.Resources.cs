using Microsoft.Extensions.Logging;

namespace Pipelines;

/// <summary>Resources that live as long as the context (a dashboard server, a metrics exporter...).</summary>
public sealed partial class StreamingContext
{
    private readonly List<IAsyncDisposable> _stopResources = [];
    private bool _stopResourcesClosed;

    /// <summary>
    /// Ties <paramref name="resource"/> to the context's lifetime: it is disposed once the context has stopped
    /// (however it stopped: <see cref="StopAsync"/>, <see cref="DisposeAsync"/>, a shutdown signal, a failed
    /// checkpoint), after the batches finished and before <see cref="StopAsync"/> and
    /// <see cref="AwaitTerminationAsync"/> complete. Resources are disposed in the reverse order of registration;
    /// an error from one is logged and the others are still disposed. Disposing a resource earlier is fine: it is
    /// then disposed twice, so its <see cref="IAsyncDisposable.DisposeAsync"/> must allow that (as it should).
    /// </summary>
    /// <param name="resource">What to dispose.</param>
    /// <remarks>When the context has already stopped, the resource's disposal starts at once, in the background.</remarks>
    /// <example>
    /// <code>
    /// var server = await StartMyStatusServerAsync(ssc);
    /// ssc.DisposeOnStop(server); // stops serving when the job stops
    /// </code>
    /// </example>
    public void DisposeOnStop(IAsyncDisposable resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        lock (_stopResources)
        {
            if (!_stopResourcesClosed)
            {
                _stopResources.Add(resource);
                return;
            }
        }

        _ = DisposeQuietlyAsync(resource);
    }

    /// <summary>Disposes the registered resources, newest first; called once by the stop.</summary>
    private async Task DisposeStopResourcesAsync()
    {
        IAsyncDisposable[] resources;
        lock (_stopResources)
        {
            _stopResourcesClosed = true;
            resources = [.. _stopResources];
            _stopResources.Clear();
        }

        for (var i = resources.Length - 1; i >= 0; i--)
        {
            await DisposeQuietlyAsync(resources[i]).ConfigureAwait(false);
        }
    }

    private async Task DisposeQuietlyAsync(IAsyncDisposable resource)
    {
        try
        {
            await resource.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception error)
        {
            _logger.LogError(error, "Disposing {Resource} after the StreamingContext stopped failed", resource.GetType().Name);
        }
    }
}
