using Microsoft.Extensions.Logging;

namespace Pipelines;

/// <summary>Delivers events to the listeners; a listener that throws is logged and skipped.</summary>
internal sealed class ListenerBus
{
    private readonly List<IStreamingListener> _listeners;
    private readonly ILogger _logger;
    private volatile bool _wantsStreamTimings;
    private volatile bool _wantsOutputEvents;
    private volatile bool _wantsBatchStarted;
    private volatile bool _wantsBatchSubmitted;
    private volatile bool _wantsBatchCompleted;

    /// <summary>The listeners as of the last <see cref="Add"/>: events read it without a lock or a copy.</summary>
    private volatile IStreamingListener[] _snapshot;

    public ListenerBus(IEnumerable<IStreamingListener> listeners, ILogger logger)
    {
        _listeners = [.. listeners, new MetricsListener()];
        _snapshot = [.. _listeners];
        _logger = logger;
        foreach (var listener in _listeners)
        {
            NoteTimingWish(listener);
            NoteOutputWish(listener);
        }
    }

    /// <summary>Whether a listener asked for <see cref="IStreamingListener.OnStreamComputed"/> (read on the job thread before each stream computes).</summary>
    public bool WantsStreamTimings => _wantsStreamTimings;

    /// <summary>
    /// Whether a listener implements the output-operation events; when none does, the job loop does not build
    /// their <see cref="OutputOperationInfo"/>s (two objects per output per batch).
    /// </summary>
    public bool WantsOutputEvents => _wantsOutputEvents;

    /// <summary>Whether a listener implements <see cref="IStreamingListener.OnBatchStarted"/> (else its event object is not built).</summary>
    public bool WantsBatchStarted => _wantsBatchStarted;

    /// <summary>Whether a listener implements <see cref="IStreamingListener.OnBatchSubmitted"/> (else its event object is not built).</summary>
    public bool WantsBatchSubmitted => _wantsBatchSubmitted;

    /// <summary>
    /// Whether a listener implements <see cref="IStreamingListener.OnBatchCompleted"/> (else its event object is not
    /// built: the runtime's own metrics read the figures without it).
    /// </summary>
    public bool WantsBatchCompleted => _wantsBatchCompleted;

    public void Add(IStreamingListener listener)
    {
        lock (_listeners)
        {
            _listeners.Add(listener);
            _snapshot = [.. _listeners];
        }

        NoteTimingWish(listener);
        NoteOutputWish(listener);
    }

    // Static lambdas with the event passed as state: delivering an event allocates nothing.
    public void StreamingStarted(BatchTime zero) => Post(zero, static (l, z) => l.OnStreamingStarted(z));

    public void BatchSubmitted(BatchInfo info) => Post(info, static (l, i) => l.OnBatchSubmitted(i));

    public void BatchStarted(BatchInfo info) => Post(info, static (l, i) => l.OnBatchStarted(i));

    public void BatchCompleted(BatchInfo info) => Post(info, static (l, i) => l.OnBatchCompleted(i));

    public void OutputStarted(OutputOperationInfo info) => Post(info, static (l, i) => l.OnOutputOperationStarted(i));

    public void OutputCompleted(OutputOperationInfo info) => Post(info, static (l, i) => l.OnOutputOperationCompleted(i));

    public void ReceiverStarted(ReceiverInfo info) => Post(info, static (l, i) => l.OnReceiverStarted(i));

    public void ReceiverError(ReceiverInfo info) => Post(info, static (l, i) => l.OnReceiverError(i));

    public void ReceiverStopped(ReceiverInfo info) => Post(info, static (l, i) => l.OnReceiverStopped(i));

    public void FallingBehind(FallingBehindInfo info) => Post(info, static (l, i) => l.OnFallingBehind(i));

    public void CaughtUp(FallingBehindInfo info) => Post(info, static (l, i) => l.OnCaughtUp(i));

    public void CheckpointWritten(CheckpointInfo info) => Post(info, static (l, i) => l.OnCheckpointWritten(i));

    public void StreamComputed(StreamComputedInfo info) => Post(info, static (l, i) =>
    {
        if (l.WantsStreamTimings)
        {
            l.OnStreamComputed(i);
        }
    });

    /// <summary>Which optional events <paramref name="listener"/>'s type implements (reflection on its interface map).</summary>
    private void NoteOutputWish(IStreamingListener listener)
    {
        try
        {
            var map = listener.GetType().GetInterfaceMap(typeof(IStreamingListener));
            for (var i = 0; i < map.InterfaceMethods.Length; i++)
            {
                if (map.TargetMethods[i].DeclaringType == typeof(IStreamingListener))
                {
                    continue; // the interface's empty default
                }

                switch (map.InterfaceMethods[i].Name)
                {
                    case nameof(IStreamingListener.OnOutputOperationStarted) or nameof(IStreamingListener.OnOutputOperationCompleted):
                        _wantsOutputEvents = true;
                        break;
                    case nameof(IStreamingListener.OnBatchStarted):
                        _wantsBatchStarted = true;
                        break;
                    case nameof(IStreamingListener.OnBatchSubmitted):
                        _wantsBatchSubmitted = true;
                        break;
                    case nameof(IStreamingListener.OnBatchCompleted):
                        _wantsBatchCompleted = true;
                        break;
                }
            }
        }
        catch (Exception error) when (error is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            _wantsOutputEvents = true; // cannot tell: deliver them
            _wantsBatchStarted = true;
            _wantsBatchSubmitted = true;
            _wantsBatchCompleted = true;
        }
    }

    private void NoteTimingWish(IStreamingListener listener)
    {
        try
        {
            if (listener.WantsStreamTimings)
            {
                _wantsStreamTimings = true;
            }
        }
        catch (Exception error)
        {
            _logger.LogError(error, "Streaming listener {Listener} threw from WantsStreamTimings; it gets no stream timings", listener.GetType().Name);
        }
    }

    private void Post<T>(T info, Action<IStreamingListener, T> deliver)
    {
        foreach (var listener in _snapshot)
        {
            try
            {
                deliver(listener, info);
            }
            catch (Exception error)
            {
                _logger.LogError(error, "Streaming listener {Listener} threw; the event is skipped for it", listener.GetType().Name);
            }
        }
    }
}
