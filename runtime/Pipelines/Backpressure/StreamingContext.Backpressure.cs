using Pipelines.Backpressure;

namespace Pipelines;

/// <summary>The context's rate control for receivers.</summary>
public sealed partial class StreamingContext
{
    private RateController? _rateController;

    /// <summary>The controller that hands out receiver rate limiters; created on first use and listening to batches.</summary>
    internal RateController RateController
    {
        get
        {
            lock (_gate)
            {
                if (_rateController is null)
                {
                    _rateController = new RateController(TimeProvider, BatchInterval, Options.Backpressure);
                    Listeners.Add(_rateController);
                }

                return _rateController;
            }
        }
    }
}
