using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Pipelines;

/// <summary>
/// SIGTERM and SIGINT stop the context, as Spark's shutdown hook does (<see cref="StreamingOptions.StopOnShutdownSignal"/>).
/// </summary>
public sealed partial class StreamingContext
{
    private PosixSignalRegistration[]? _signals;
    private int _signalled;

    /// <summary>Registers the SIGTERM and SIGINT handlers when the context starts. Called under the lock.</summary>
    private void RegisterShutdownSignals()
    {
        if (!Options.StopOnShutdownSignal)
        {
            return;
        }

        try
        {
            _signals =
            [
                PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnShutdownSignal),
                PosixSignalRegistration.Create(PosixSignal.SIGINT, OnShutdownSignal),
            ];
        }
        catch (PlatformNotSupportedException error)
        {
            _logger.LogWarning(error, "Shutdown signals cannot be handled on this platform; stop the StreamingContext yourself before the process exits");
        }
    }

    /// <summary>
    /// Stops the context on the first signal and waits for the stop (bounded by the stop timeouts); the signal is
    /// handled, so the process goes on to end normally once <see cref="AwaitTerminationAsync"/> returns. A second
    /// signal during the stop gets the default action (the process ends at once).
    /// </summary>
    private void OnShutdownSignal(PosixSignalContext signal)
    {
        if (Interlocked.Exchange(ref _signalled, 1) != 0)
        {
            _logger.LogWarning("Received {Signal} again while stopping: exiting at once", signal.Signal);
            return;
        }

        signal.Cancel = true;
        var graceful = Options.StopGracefullyOnShutdown;
        _logger.LogInformation("Received {Signal}: stopping the StreamingContext (graceful: {Graceful})", signal.Signal, graceful);
        var stopping = StopAsync(graceful);

        // The stop is bounded by the stop timeouts (twice StopTimeout for the job loop, StopTimeout per receiver);
        // this wait only keeps the handler from returning before it finished.
        if (!stopping.Wait(Options.StopTimeout * (3 + _inputs.Count) + TimeSpan.FromSeconds(5)))
        {
            _logger.LogError("The StreamingContext did not stop after {Signal} within its stop timeouts", signal.Signal);
        }
    }

    private void DisposeShutdownSignals()
    {
        var signals = Interlocked.Exchange(ref _signals, null);
        if (signals is null)
        {
            return;
        }

        foreach (var registration in signals)
        {
            registration.Dispose();
        }
    }
}
