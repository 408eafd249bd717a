using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Pipelines;

/// <summary>
/// Publishes what <see cref="StreamingContext.DescribeStreams"/> and <see cref="StreamingContext.DescribeInputs"/>
/// report as observable gauges of the <c>Pipelines</c> meter, read from every running context when a collector
/// asks (never on the batch path).
/// </summary>
internal static class StreamingGauges
{
    private static readonly ConcurrentDictionary<StreamingContext, byte> Running = new(ReferenceEqualityComparer.Instance);

    static StreamingGauges()
    {
        var meter = MetricsListener.SharedMeter;
        meter.CreateObservableGauge(StreamingMetrics.StateKeys, () => ObserveStreams(static s => s.StateKeys), description: "Keys a stream holds between batches");
        meter.CreateObservableGauge(StreamingMetrics.StateBytes, () => ObserveStreams(static s => s.EstimatedStateBytes), "By", "Shallow size estimate of a stream's keyed data");
        meter.CreateObservableGauge(StreamingMetrics.WindowBatchesHeld, () => ObserveStreams(static s => s.WindowBatchesHeld), description: "Parent batches a window holds");
        meter.CreateObservableGauge(StreamingMetrics.InputRateLimit, () => ObserveInputs(static i => i.RateLimit), "{record}/s", "Records per second an input may take now (backpressure)");
        meter.CreateObservableGauge(StreamingMetrics.WriteAheadLogBytes, () => ObserveInputs(static i => i.WriteAheadLogBytes), "By", "Size on disk of an input's write-ahead log");
    }

    /// <summary>Publishes <paramref name="context"/>'s figures until it stops.</summary>
    public static void Track(StreamingContext context)
    {
        Running.TryAdd(context, 0);
        context.DisposeOnStop(new Untracking(context));
    }

    private static IEnumerable<Measurement<double>> ObserveStreams(Func<StreamDescription, double?> figure)
    {
        var measurements = new List<Measurement<double>>();
        foreach (var context in Running.Keys)
        {
            foreach (var stream in context.DescribeStreams())
            {
                if (figure(stream) is { } value)
                {
                    measurements.Add(new Measurement<double>(
                        value,
                        new KeyValuePair<string, object?>(StreamingMetrics.StreamTag, stream.Name),
                        new KeyValuePair<string, object?>(StreamingMetrics.StreamIdTag, stream.Id),
                        new KeyValuePair<string, object?>(StreamingMetrics.ApplicationTag, context.ApplicationId)));
                }
            }
        }

        return measurements;
    }

    private static IEnumerable<Measurement<double>> ObserveInputs(Func<InputDescription, double?> figure)
    {
        var measurements = new List<Measurement<double>>();
        foreach (var context in Running.Keys)
        {
            foreach (var input in context.DescribeInputs())
            {
                if (figure(input) is { } value)
                {
                    measurements.Add(new Measurement<double>(
                        value,
                        new KeyValuePair<string, object?>(StreamingMetrics.InputTag, input.Name),
                        new KeyValuePair<string, object?>(StreamingMetrics.InputIdTag, input.InputId),
                        new KeyValuePair<string, object?>(StreamingMetrics.ApplicationTag, context.ApplicationId)));
                }
            }
        }

        return measurements;
    }

    private sealed class Untracking(StreamingContext context) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            Running.TryRemove(context, out _);
            return ValueTask.CompletedTask;
        }
    }
}
