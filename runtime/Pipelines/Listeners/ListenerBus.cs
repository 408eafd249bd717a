using Microsoft.Extensions.Logging;

namespace Pipelines;

/// <summary>Delivers events to the listeners; a listener that throws is logged and skipped.</summary>
internal sealed class ListenerBus
{
    private readonly List<IStreamingListener> _listeners;
    private readonly ILogger _logger;

    public ListenerBus(IEnumerable<IStreamingListener> listeners, ILogger logger)
    {
        _listeners = [.. listeners, new MetricsListener()];
        _logger = logger;
    }

    public void Add(IStreamingListener listener)
    {
        lock (_listeners)
        {
            _listeners.Add(listener);
        }
    }

    public void StreamingStarted(BatchTime zero) => Post(l => l.OnStreamingStarted(zero));

    public void BatchSubmitted(BatchInfo info) => Post(l => l.OnBatchSubmitted(info));

    public void BatchStarted(BatchInfo info) => Post(l => l.OnBatchStarted(info));

    public void BatchCompleted(BatchInfo info) => Post(l => l.OnBatchCompleted(info));

    public void OutputStarted(OutputOperationInfo info) => Post(l => l.OnOutputOperationStarted(info));

    public void OutputCompleted(OutputOperationInfo info) => Post(l => l.OnOutputOperationCompleted(info));

    public void ReceiverStarted(ReceiverInfo info) => Post(l => l.OnReceiverStarted(info));

    public void ReceiverError(ReceiverInfo info) => Post(l => l.OnReceiverError(info));

    public void ReceiverStopped(ReceiverInfo info) => Post(l => l.OnReceiverStopped(info));

    public void FallingBehind(FallingBehindInfo info) => Post(l => l.OnFallingBehind(info));

    public void CaughtUp(FallingBehindInfo info) => Post(l => l.OnCaughtUp(info));

    private void Post(Action<IStreamingListener> deliver)
    {
        IStreamingListener[] listeners;
        lock (_listeners)
        {
            listeners = [.. _listeners];
        }

        foreach (var listener in listeners)
        {
            try
            {
                deliver(listener);
            }
            catch (Exception error)
            {
                _logger.LogError(error, "Streaming listener {Listener} threw; the event is skipped for it", listener.GetType().Name);
            }
        }
    }
}
