using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pipelines.Hosting;

/// <summary>
/// Reports whether the hosted streaming context keeps up (Spark's stability rule: batches are processed as fast as
/// they are cut; <see cref="StreamingContext.IsFallingBehind"/>). Healthy ("keeping up") while it runs and keeps up;
/// degraded ("falling behind") while the scheduling delay keeps growing past the batch interval; unhealthy before the
/// context started, after it stopped and when it failed. The data carry the queued batches and the batch interval.
/// </summary>
public sealed class StreamingHealthCheck : IHealthCheck
{
    private readonly StreamingContextHost _host;

    /// <summary>Creates the check; the dependency injection container calls this.</summary>
    /// <param name="host">The hosted service running the context.</param>
    public StreamingHealthCheck(StreamingContextHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        _host = host;
    }

    /// <summary>Reports the context's state.</summary>
    /// <param name="context">The health check's context.</param>
    /// <param name="cancellationToken">Not used: the check reads in-memory state.</param>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_host.Failure is { } failure)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("failed: " + failure.Message, failure));
        }

        if (_host.Context is not { } streaming || streaming.State == StreamingContextState.Initialized)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("not started"));
        }

        if (streaming.State == StreamingContextState.Stopped)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("stopped"));
        }

        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["queuedBatches"] = streaming.QueuedBatches,
            ["batchInterval"] = streaming.BatchInterval.ToString("c", CultureInfo.InvariantCulture),
        };
        return Task.FromResult(streaming.IsFallingBehind
            ? HealthCheckResult.Degraded(string.Create(CultureInfo.InvariantCulture, $"falling behind: {streaming.QueuedBatches} batches queued, processing is slower than the batch interval {streaming.BatchInterval}"), data: data)
            : HealthCheckResult.Healthy("keeping up", data));
    }
}
