using System.Text;
using NATS.Client.Core;
using Pipelines.Messaging.Testing;

namespace Pipelines.Nats.Tests;

/// <summary>The core NATS receiver (at-most-once) against a real <c>nats-server</c>.</summary>
public sealed class CoreNatsTests(NatsServer nats) : IClassFixture<NatsServer>
{
    [Fact]
    public async Task Messages_published_while_subscribed_arrive_and_a_poison_message_is_reported_and_skipped()
    {
        var subject = "core." + Guid.NewGuid().ToString("N")[..8];
        var collected = new CollectedRecords<string>();
        var started = new TaskCompletionSource();
        await using var ssc = new StreamingContext(TimeSpan.FromMilliseconds(100), new StreamingOptions { Listeners = [collected, new StartedListener(started)] });
        collected.Attach(ssc.NatsStream(nats.Url, subject + ".>"));
        ssc.Start();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The subscription is registered once a probe published after the start comes through.
        await PublishUntilSeenAsync(subject, collected);
        await nats.Client.PublishAsync<byte[]>(subject + ".bad", [0xFF, 0xFE]);
        for (var i = 0; i < 100; i++)
        {
            await nats.Client.PublishAsync(subject + ".in", Encoding.UTF8.GetBytes(JetStreamTests.Record(i)));
        }

        await collected.WaitUntilAsync(records => records.Count(r => r.StartsWith('r')) >= 100);
        await ssc.StopAsync(graceful: true);
        Assert.Equal(Enumerable.Range(0, 100).Select(JetStreamTests.Record), collected.Records.Where(r => r.StartsWith('r')));
        var error = Assert.Single(collected.Errors);
        Assert.Contains($"'{subject}.bad'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_server_restart_the_receiver_gets_new_messages_again()
    {
        await using var own = new NatsServer();
        await own.InitializeAsync();
        var collected = new CollectedRecords<string>();
        await using var ssc = new StreamingContext(TimeSpan.FromMilliseconds(100), new StreamingOptions { ReceiverRestartDelay = TimeSpan.FromMilliseconds(100), Listeners = [collected] });
        collected.Attach(ssc.NatsStream(own.Url, "restart"));
        ssc.Start();
        await PublishUntilSeenAsync(own, "restart", collected, "before");
        await own.RestartAsync();
        await PublishUntilSeenAsync(own, "restart", collected, "after");
        await ssc.StopAsync(graceful: true);
        Assert.Contains("before", collected.Records);
        Assert.Contains("after", collected.Records);
    }

    private Task PublishUntilSeenAsync(string subject, CollectedRecords<string> collected) => PublishUntilSeenAsync(nats, subject + ".probe", collected, "probe");

    /// <summary>Core NATS is at-most-once: publish the probe again until the receiver (subscribed asynchronously) has it.</summary>
    private static async Task PublishUntilSeenAsync(NatsServer server, string subject, CollectedRecords<string> collected, string probe)
    {
        await using var publisher = new NatsConnection(new NatsOpts { Url = server.Url });
        var seen = collected.WaitUntilAsync(records => records.Contains(probe));
        while (!seen.IsCompleted)
        {
            await publisher.PublishAsync(subject, Encoding.UTF8.GetBytes(probe));
            await Task.WhenAny(seen, Task.Delay(100));
        }

        await seen;
    }

    private sealed class StartedListener(TaskCompletionSource started) : IStreamingListener
    {
        public void OnReceiverStarted(ReceiverInfo receiver) => started.TrySetResult();
    }
}
