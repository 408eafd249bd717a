using System.Globalization;
using System.Text;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Pipelines.Messaging.Testing;

namespace Pipelines.Nats.Tests;

/// <summary>The JetStream receiver against a real <c>nats-server -js</c>.</summary>
public sealed class JetStreamTests(NatsServer nats) : IClassFixture<NatsServer>
{
    [Fact]
    public async Task Every_message_arrives_once_and_the_consumer_has_nothing_pending_afterwards()
    {
        var stream = await NewStreamAsync(nats, "ALL");
        await PublishAsync(nats, stream, Enumerable.Range(0, 600).Select(Record));
        using var checkpoints = new TempFolder();
        var collected = new CollectedRecords<string>();
        await using (var ssc = Checkpointed(checkpoints, collected, Options(nats, stream)))
        {
            ssc.Start();
            await collected.WaitUntilAsync(records => records.Count >= 600);
            await ssc.StopAsync(graceful: true);
        }

        Assert.Equal(Enumerable.Range(0, 600).Select(Record), collected.Records.Order(StringComparer.Ordinal));
        Assert.Empty(collected.Errors);
        var consumer = await nats.JetStream.GetConsumerAsync(stream, "app");
        Assert.Equal(0, consumer.Info.NumAckPending);
        Assert.Equal(0UL, consumer.Info.NumPending);
    }

    [Fact]
    public async Task Messages_delivered_before_a_crash_and_never_acknowledged_are_delivered_again()
    {
        var stream = await NewStreamAsync(nats, "PENDING");
        await PublishAsync(nats, stream, Enumerable.Range(0, 50).Select(Record));
        var options = Options(nats, stream) with { AckWait = TimeSpan.FromSeconds(1) };

        // A reader that died after fetching and before acknowledging: 20 messages are pending on consumer "app".
        var consumer = await nats.JetStream.CreateOrUpdateConsumerAsync(stream, new ConsumerConfig("app") { DurableName = "app", AckPolicy = ConsumerConfigAckPolicy.Explicit, AckWait = options.AckWait });
        var fetched = 0;
        await foreach (var _ in consumer.FetchAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = 20, Expires = TimeSpan.FromSeconds(2) }))
        {
            fetched++;
        }

        Assert.Equal(20, fetched);
        using var checkpoints = new TempFolder();
        var collected = new CollectedRecords<string>();
        await using (var ssc = Checkpointed(checkpoints, collected, options))
        {
            ssc.Start();
            await collected.WaitUntilAsync(records => records.Count >= 50);
            await ssc.StopAsync(graceful: true);
        }

        Assert.Equal(Enumerable.Range(0, 50).Select(Record), collected.Records.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_poison_message_is_reported_with_its_sequence_terminated_and_the_stream_goes_on()
    {
        var stream = await NewStreamAsync(nats, "POISON");
        await PublishAsync(nats, stream, Enumerable.Range(0, 10).Select(Record));
        (await nats.JetStream.PublishAsync<byte[]>(stream + ".in", [0xC3, 0x28, 0xFF])).EnsureSuccess(); // not UTF-8
        await PublishAsync(nats, stream, Enumerable.Range(10, 10).Select(Record));

        using var checkpoints = new TempFolder();
        var collected = new CollectedRecords<string>();
        await using (var ssc = Checkpointed(checkpoints, collected, Options(nats, stream)))
        {
            ssc.Start();
            await collected.WaitUntilAsync(records => records.Count >= 20);
            await ssc.StopAsync(graceful: true);
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(Record), collected.Records.Order(StringComparer.Ordinal));
        var error = Assert.Single(collected.Errors);
        Assert.Contains("message 11 ", error.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidDataException>(error.Error);
        var consumer = await nats.JetStream.GetConsumerAsync(stream, "app");
        Assert.Equal(0, consumer.Info.NumAckPending); // terminated, not waiting for redelivery
    }

    [Fact]
    public async Task A_server_restart_mid_stream_loses_no_message()
    {
        await using var own = new NatsServer();
        await own.InitializeAsync();
        var stream = await NewStreamAsync(own, "RESTART");
        await PublishAsync(own, stream, Enumerable.Range(0, 300).Select(Record));
        using var checkpoints = new TempFolder();
        var collected = new CollectedRecords<string>();
        await using (var ssc = Checkpointed(checkpoints, collected, Options(own, stream) with { AckWait = TimeSpan.FromSeconds(2) }))
        {
            ssc.Start();
            await collected.WaitUntilAsync(records => records.Count >= 300);
            await own.RestartAsync();
            await PublishAsync(own, stream, Enumerable.Range(300, 300).Select(Record));
            await collected.WaitUntilAsync(records => records.Distinct().Count() >= 600, () => own.Server.Log);
            await ssc.StopAsync(graceful: true);
        }

        // At-least-once: a message whose acknowledgement was lost in the restart may come twice, none is missing.
        Assert.Equal(Enumerable.Range(0, 600).Select(Record), collected.Records.Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Options_are_checked_when_the_stream_is_defined()
    {
        var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ssc.NatsJetStream(new NatsJetStreamOptions { Url = "nats://x", Stream = "s", Consumer = "c", AckWait = TimeSpan.Zero }));
        Assert.Throws<ArgumentException>(() => ssc.NatsJetStream(new NatsJetStreamOptions { Url = "nats://x", Stream = "", Consumer = "c" }));
    }

    internal static string Record(int id) => string.Create(CultureInfo.InvariantCulture, $"r{id:D6}");

    internal static async Task<string> NewStreamAsync(NatsServer server, string prefix)
    {
        var name = prefix + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        await server.JetStream.CreateStreamAsync(new StreamConfig(name, [name + ".>"]));
        return name;
    }

    internal static async Task PublishAsync(NatsServer server, string stream, IEnumerable<string> records)
    {
        var jetStream = server.JetStream;
        foreach (var record in records)
        {
            (await jetStream.PublishAsync(stream + ".in", Encoding.UTF8.GetBytes(record))).EnsureSuccess();
        }
    }

    private static NatsJetStreamOptions Options(NatsServer server, string stream) =>
        new() { Url = server.Url, Stream = stream, Consumer = "app", BatchSize = 64, PollInterval = TimeSpan.FromMilliseconds(20) };

    private static StreamingContext Checkpointed(TempFolder checkpoints, CollectedRecords<string> collected, NatsJetStreamOptions options) =>
        StreamingContext.GetOrCreate(
            checkpoints.Path,
            () =>
            {
                var ssc = new StreamingContext(TimeSpan.FromMilliseconds(100), new StreamingOptions { ReceiverRestartDelay = TimeSpan.FromMilliseconds(100), Listeners = [collected] });
                collected.Attach(ssc.NatsJetStream(options));
                return ssc;
            },
            new CheckpointOptions { ReceiverWriteAheadLog = true });
}
