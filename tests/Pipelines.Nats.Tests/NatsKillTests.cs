using System.Text;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Pipelines.Messaging.Testing;
using Xunit.Abstractions;

namespace Pipelines.Nats.Tests;

/// <summary>At-least-once through SIGKILLs: the fault app reads a JetStream stream (WAL, then ack) and is killed at seeded moments.</summary>
public sealed class NatsKillTests(NatsServer nats, ITestOutputHelper output) : IClassFixture<NatsServer>
{
    [Fact]
    public async Task SIGKILLed_app_reading_a_jetstream_stream_loses_no_record()
    {
        const string Stream = "KILLINPUT";
        await nats.JetStream.CreateStreamAsync(new StreamConfig(Stream, [Stream + ".>"]));
        var jetStream = nats.JetStream;
        using var run = new KillRun($"nats://127.0.0.1:{nats.Server.Port}/{Stream}", async records =>
        {
            foreach (var record in records)
            {
                (await jetStream.PublishAsync(Stream + ".in", Encoding.UTF8.GetBytes(record))).EnsureSuccess();
            }
        });
        var figures = await run.RunAsync(KillRun.Kills, KillRun.Seed, recordsPerChunk: 400);
        output.WriteLine(figures.ToString());
        Assert.True(figures.Lost == 0, $"{figures}\n{run.Log}");
        Assert.True(figures.Recoveries >= 1, $"the restarts recover from checkpoints: {figures}\n{run.Log}");
    }
}
