using OpenTelemetry;
using OpenTelemetry.Metrics;
using Pipelines.Dashboard.Tests.Support;

namespace Pipelines.Dashboard.Tests.Metrics;

/// <summary>The core's <c>Pipelines</c> meter, collected by OpenTelemetry's SDK with its in-memory exporter.</summary>
[Collection(MetricsCollection.Name)]
public sealed class OpenTelemetryTests
{
    [Fact]
    public async Task OpenTelemetry_collects_the_batch_figures_of_the_Pipelines_meter()
    {
        var exported = new List<Metric>();
        using var meterProvider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(StreamingMetrics.MeterName)
            .AddInMemoryExporter(exported)
            .Build();

        await using (var job = new DashboardJob())
        {
            await job.RunBatchAsync(["a b c", "d"], work: TimeSpan.FromMilliseconds(250));
            await job.RunBatchAsync(["e"], work: TimeSpan.FromMilliseconds(750));
            await job.RunBatchAsync(["f"], failure: new InvalidOperationException("boom"));
        }

        meterProvider.ForceFlush();

        Assert.Equal(2, Sum(exported, StreamingMetrics.BatchesCompleted));
        Assert.Equal(1, Sum(exported, StreamingMetrics.BatchesFailed));
        Assert.Equal(4, Sum(exported, StreamingMetrics.RecordsReceived));
        var (count, sum) = Histogram(exported, StreamingMetrics.ProcessingDelay);
        Assert.Equal(3, count);
        Assert.Equal(1000, sum);
        Assert.Equal((3L, 1000.0), Histogram(exported, StreamingMetrics.TotalDelay));
        Assert.Equal((3L, 0.0), Histogram(exported, StreamingMetrics.SchedulingDelay));
        Assert.Equal("ms", Single(exported, StreamingMetrics.ProcessingDelay).Unit);
    }

    private static Metric Single(List<Metric> exported, string name) => exported.Last(m => m.Name == name);

    private static long Sum(List<Metric> exported, string name)
    {
        long total = 0;
        foreach (ref readonly var point in Single(exported, name).GetMetricPoints())
        {
            total += point.GetSumLong();
        }

        return total;
    }

    private static (long Count, double Sum) Histogram(List<Metric> exported, string name)
    {
        long count = 0;
        double sum = 0;
        foreach (ref readonly var point in Single(exported, name).GetMetricPoints())
        {
            count += point.GetHistogramCount();
            sum += point.GetHistogramSum();
        }

        return (count, sum);
    }
}

/// <summary>
/// The core's meter is process-wide: while this collection runs, no other test in this assembly runs batches,
/// so the exported figures are this test's alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "Metrics";
}
