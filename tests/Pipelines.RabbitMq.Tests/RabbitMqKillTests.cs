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
        // Batches of 500 ms: the broker's own disk syncs (persistent messages, publisher confirms) slow the app's
        // (write-ahead log, checkpoint, output) enough on a shared CI disk that 100 ms batches fall behind for good.
        using var run = new KillRun($"amqp://127.0.0.1:{rabbit.Server.Port}/{Queue}", records => rabbit.DeclareAndPublishAsync(Queue, records), batchMilliseconds: 500);
        var figures = await run.RunAsync(KillRun.Kills, KillRun.Seed, recordsPerChunk: 200);
        output.WriteLine(figures.ToString());
        Assert.True(figures.Lost == 0, $"{figures}\n{run.Log}");
        Assert.True(figures.Recoveries >= 1, $"the restarts recover from checkpoints: {figures}\n{run.Log}");
    }
}
