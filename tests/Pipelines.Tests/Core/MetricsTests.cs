using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Pipelines.Testing;

namespace Pipelines.Tests.Core;

public sealed class MetricsTests
{
    [Fact]
    public void Batch_figures_are_published_on_the_Pipelines_meter()
    {
        // Other tests publish on the same meter in parallel: a batch of an unusual size identifies this one.
        const int Records = 7919;
        var seen = new ConcurrentBag<(string Instrument, double Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == StreamingMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => seen.Add((instrument.Name, value)));
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => seen.Add((instrument.Name, value)));
        listener.Start();
        using var run = StreamingTest.Start<int, int>([Enumerable.Range(0, Records)], s => s);

        run.Step();

        Assert.Contains((StreamingMetrics.RecordsReceived, (double)Records), seen);
        Assert.Contains(seen, m => m.Instrument == StreamingMetrics.BatchesCompleted);
        Assert.Contains(seen, m => m.Instrument == StreamingMetrics.ProcessingDelay);
    }
}
