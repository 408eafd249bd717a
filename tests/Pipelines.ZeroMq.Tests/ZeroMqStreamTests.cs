using System.Globalization;
using NetMQ;
using NetMQ.Sockets;
using Pipelines.Messaging.Testing;

namespace Pipelines.ZeroMq.Tests;

/// <summary>The ZeroMQ receivers against in-process NetMQ peers on 127.0.0.1.</summary>
public sealed class ZeroMqStreamTests
{
    [Fact]
    public async Task A_pull_stream_gets_every_message_pushed_in_order()
    {
        var endpoint = Endpoint();
        using var push = new PushSocket("@" + endpoint);
        var collected = new CollectedRecords<string>();
        await using var ssc = new StreamingContext(TimeSpan.FromMilliseconds(100), new StreamingOptions { Listeners = [collected] });
        collected.Attach(ssc.ZeroMqPullStream(endpoint));
        ssc.Start();

        // PUSH queues messages until a puller connects, so nothing sent here is dropped.
        for (var i = 0; i < 500; i++)
        {
            push.SendFrame(Record(i));
        }

        await collected.WaitUntilAsync(records => records.Count >= 500);
        await ssc.StopAsync(graceful: true);
        Assert.Equal(Enumerable.Range(0, 500).Select(Record), collected.Records);
        Assert.Empty(collected.Errors);
    }

    [Fact]
    public async Task A_subscriber_stream_gets_only_its_topics_and_the_last_frame_of_multipart_messages()
    {
        var endpoint = Endpoint();
        using var publisher = new PublisherSocket("@" + endpoint);
        var collected = new CollectedRecords<string>();
        await using var ssc = new StreamingContext(TimeSpan.FromMilliseconds(100), new StreamingOptions { Listeners = [collected] });
        collected.Attach(ssc.ZeroMqSubscriberStream(endpoint, "quotes", "probe"));
        ssc.Start();
        await PublishUntilSeenAsync(publisher, collected);

        for (var i = 0; i < 100; i++)
        {
            publisher.SendMoreFrame(i % 2 == 0 ? "quotes" : "trades").SendFrame(Record(i));
        }

        await collected.WaitUntilAsync(records => records.Count(r => r.StartsWith('r')) >= 50);
        await ssc.StopAsync(graceful: true);
        Assert.Equal(Enumerable.Range(0, 100).Where(i => i % 2 == 0).Select(Record), collected.Records.Where(r => r.StartsWith('r')));
    }

    [Fact]
    public async Task A_poison_message_is_reported_and_skipped_and_the_stream_goes_on()
    {
        var endpoint = Endpoint();
        using var push = new PushSocket("@" + endpoint);
        var collected = new CollectedRecords<string>();
        await using var ssc = new StreamingContext(TimeSpan.FromMilliseconds(100), new StreamingOptions { Listeners = [collected] });
        collected.Attach(ssc.ZeroMqPullStream(endpoint));
        ssc.Start();
        push.SendFrame(Record(0));
        push.SendFrame([0xC3, 0x28, 0xFF]); // not UTF-8
        push.SendFrame(Record(1));

        await collected.WaitUntilAsync(records => records.Count >= 2);
        await ssc.StopAsync(graceful: true);
        Assert.Equal([Record(0), Record(1)], collected.Records);
        var error = Assert.Single(collected.Errors);
        Assert.Contains("C328FF", error.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidDataException>(error.Error);
    }

    [Fact]
    public async Task After_the_peer_restarts_on_the_same_endpoint_the_stream_gets_its_new_messages()
    {
        var endpoint = Endpoint();
        var collected = new CollectedRecords<string>();
        await using var ssc = new StreamingContext(TimeSpan.FromMilliseconds(100), new StreamingOptions { Listeners = [collected] });
        collected.Attach(ssc.ZeroMqPullStream(endpoint));
        ssc.Start();
        using (var push = new PushSocket("@" + endpoint))
        {
            push.SendFrame("before");
            await collected.WaitUntilAsync(records => records.Contains("before"));
        }

        // The peer went away and came back: ZeroMQ reconnects by itself.
        using (var push = await BindAgainAsync(endpoint))
        {
            push.SendFrame("after");
            await collected.WaitUntilAsync(records => records.Contains("after"));
        }

        await ssc.StopAsync(graceful: true);
        Assert.Equal(["before", "after"], collected.Records);
    }

    [Fact]
    public void A_subscriber_stream_needs_a_topic()
    {
        var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
        Assert.Throws<ArgumentException>(() => ssc.ZeroMqSubscriberStream("tcp://127.0.0.1:1"));
    }

    /// <summary>Binds a new PUSH socket to the endpoint a closed one held (NetMQ releases it in the background).</summary>
    private static async Task<PushSocket> BindAgainAsync(string endpoint)
    {
        for (var attempt = 0; ; attempt++)
        {
            var push = new PushSocket();
            try
            {
                push.Bind(endpoint);
                return push;
            }
            catch (NetMQ.AddressAlreadyInUseException) when (attempt < 200)
            {
                push.Dispose();
                await Task.Delay(50);
            }
        }
    }

    private static string Record(int id) => string.Create(CultureInfo.InvariantCulture, $"r{id:D6}");

    private static string Endpoint() => string.Create(CultureInfo.InvariantCulture, $"tcp://127.0.0.1:{ServerProcess.FreePort()}");

    /// <summary>PUB drops what it sends before the subscription reached it (ZeroMQ's "slow joiner"): probe until one arrives.</summary>
    private static async Task PublishUntilSeenAsync(PublisherSocket publisher, CollectedRecords<string> collected)
    {
        var seen = collected.WaitUntilAsync(records => records.Contains("probe"));
        while (!seen.IsCompleted)
        {
            publisher.SendMoreFrame("probe").SendFrame("probe");
            await Task.WhenAny(seen, Task.Delay(50));
        }

        await seen;
    }
}
