using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Pipelines.Kafka;

namespace Pipelines.ScaleOut.Tests;

/// <summary>Instances in this process: one group, one zero time, disjoint ownership, metrics tagged by instance.</summary>
public sealed class MembershipTests
{
    private const int Partitions = 8;

    [Fact]
    public async Task Two_instances_agree_on_the_zero_time_divide_the_partitions_and_the_survivor_takes_all_when_one_leaves()
    {
        using var kit = new ScaleOutTestKit();
        kit.Cluster.CreateTopic("events", Partitions);
        kit.CreateApplicationTopics("members", Partitions);
        kit.ProduceInput("events", Partitions, 24);
        var committedBy = new ConcurrentDictionary<string, long>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ScaleOutMetrics.MeterName && instrument.Name == "pipelines.scaleout.batches_committed")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "pipelines.instance_id" && tag.Value is string id)
                {
                    committedBy.AddOrUpdate(id, value, (_, n) => n + value);
                }
            }
        });
        meters.Start();

        var first = App(kit, "one");
        var second = App(kit, "two");
        try
        {
            await first.StartAsync();
            await second.StartAsync();
            Assert.Equal(first.ZeroTime, second.ZeroTime);

            await WaitAsync(() => first.OwnedPartitions.Count > 0 && second.OwnedPartitions.Count > 0 && first.OwnedPartitions.Count + second.OwnedPartitions.Count == Partitions);
            var owned = first.OwnedPartitions.Concat(second.OwnedPartitions).Select(p => p.Partition.Value).Order().ToArray();
            Assert.Equal(Enumerable.Range(0, Partitions), owned); // disjoint, and together all of them
            await WaitAsync(() => committedBy.ContainsKey("one") && committedBy.ContainsKey("two"));

            await second.DisposeAsync();
            await WaitAsync(() => first.OwnedPartitions.Count == Partitions);
        }
        finally
        {
            await first.DisposeAsync();
            await second.DisposeAsync();
        }
    }

    [Fact]
    public async Task Start_without_the_positions_topic_says_which_topic_to_create()
    {
        using var kit = new ScaleOutTestKit();
        kit.Cluster.CreateTopic("events", Partitions);
        await using var app = App(kit, "alone", applicationId: "no-internal-topics");
        var error = await Assert.ThrowsAsync<ScaleOutException>(() => app.StartAsync());
        Assert.Contains("no-internal-topics-positions", error.Message, StringComparison.Ordinal);
        Assert.Contains("at least as many partitions as 'events' (8)", error.Message, StringComparison.Ordinal);
    }

    private static ScaleOutApplication<string, string, (string Key, long Count)> App(ScaleOutTestKit kit, string instanceId, string applicationId = "members") => new(
        new ScaleOutOptions
        {
            ApplicationId = applicationId,
            BootstrapServers = kit.Bootstrap,
            InstanceId = instanceId,
            BatchInterval = TimeSpan.FromMilliseconds(200),
            MaxRecordsPerPartition = 4,
            SessionTimeout = TimeSpan.FromSeconds(3),
        },
        "events",
        records => records.Map(r => (r.Key, 1L)).ReduceByKey((a, b) => a + b),
        applicationId + "-out",
        (pair, time) => (pair.Key, $"{time.Milliseconds} {pair.Count}"));

    private static async Task WaitAsync(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > ScaleOutTestKit.HangGuard)
            {
                throw new TimeoutException("The instances did not reach the expected state.");
            }

            await Task.Delay(50);
        }
    }
}
