using Pipelines.Messaging.Testing;
using Xunit.Abstractions;

namespace Pipelines.RabbitMq.Tests;

/// <summary>At-least-once through SIGKILLs: the fault app consumes a RabbitMQ queue (WAL, then ack) and is killed at seeded moments.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class RabbitMqKillTests(RabbitMqServer rabbit, ITestOutputHelper output)
{
    [Fact]
    public async Task SIGKILLed_app_consuming_a_rabbitmq_queue_loses_no_record()
    {
        const string Queue = "kill-input";
        using var run = new KillRun($"amqp://127.0.0.1:{rabbit.Server.Port}/{Queue}", records => rabbit.DeclareAndPublishAsync(Queue, records));
        var figures = await run.RunAsync(KillRun.Kills, KillRun.Seed, recordsPerChunk: 400);
        output.WriteLine(figures.ToString());
        Assert.True(figures.Lost == 0, $"{figures}\n{run.Log}");
        Assert.True(figures.Recoveries >= 1, $"the restarts recover from checkpoints: {figures}\n{run.Log}");
    }
}
