using Pipelines.Messaging.Testing;
using Xunit.Abstractions;

namespace Pipelines.Redis.Tests;

/// <summary>At-least-once through SIGKILLs: the fault app reads a Redis stream (WAL, then XACK) and is killed at seeded moments.</summary>
public sealed class RedisKillTests(RedisServer redis, ITestOutputHelper output) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task SIGKILLed_app_reading_a_redis_stream_loses_no_record()
    {
        const string Stream = "kill-input";
        using var run = new KillRun($"redis://127.0.0.1:{redis.Server.Port}/{Stream}", async records =>
        {
            foreach (var record in records)
            {
                await redis.Database.StreamAddAsync(Stream, "data", record);
            }
        });
        var figures = await run.RunAsync(KillRun.Kills, KillRun.Seed, recordsPerChunk: 400);
        output.WriteLine(figures.ToString());
        Assert.True(figures.Lost == 0, $"{figures}\n{run.Log}");
        Assert.True(figures.Recoveries >= 1, $"the restarts recover from checkpoints: {figures}\n{run.Log}");
    }
}
