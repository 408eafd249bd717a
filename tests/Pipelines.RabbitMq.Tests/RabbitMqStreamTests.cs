using System.Globalization;
using System.Text;
using Pipelines.Messaging.Testing;
using RabbitMQ.Client;

namespace Pipelines.RabbitMq.Tests;

/// <summary>The RabbitMQ receiver against a real <c>rabbitmq-server</c>.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class RabbitMqStreamTests(RabbitMqServer rabbit)
{
    [Fact]
    public async Task Every_message_arrives_once_and_the_queue_is_empty_afterwards()
    {
        var queue = NewName("all");
        await rabbit.DeclareAndPublishAsync(queue, Enumerable.Range(0, 600).Select(Record));
        using var checkpoints = new TempFolder();
        var collected = new CollectedRecords<string>();
        await using (var ssc = Checkpointed(checkpoints, collected, queue))
        {
            ssc.Start();
            await collected.WaitUntilAsync(records => records.Count >= 600);
            await ssc.StopAsync(graceful: true);
        }

        Assert.Equal(Enumerable.Range(0, 600).Select(Record), collected.Records.Order(StringComparer.Ordinal));
        Assert.Empty(collected.Errors);
        Assert.Equal(0u, await rabbit.MessageCountAsync(queue)); // acknowledged: neither ready nor requeued
    }

    [Fact]
    public async Task Deliveries_never_acknowledged_by_a_consumer_that_went_away_are_read_again()
    {
        var queue = NewName("requeue");
        await rabbit.DeclareAndPublishAsync(queue, Enumerable.Range(0, 50).Select(Record));

        // A consumer that received 20 messages and died before acknowledging: the broker requeues them.
        await using (var connection = await rabbit.ConnectAsync())
        {
            await using var channel = await connection.CreateChannelAsync();
            for (var i = 0; i < 20; i++)
            {
                Assert.NotNull(await channel.BasicGetAsync(queue, autoAck: false));
            }
        }

        using var checkpoints = new TempFolder();
        var collected = new CollectedRecords<string>();
        await using (var ssc = Checkpointed(checkpoints, collected, queue))
        {
            ssc.Start();
            await collected.WaitUntilAsync(records => records.Count >= 50);
            await ssc.StopAsync(graceful: true);
        }

        Assert.Equal(Enumerable.Range(0, 50).Select(Record), collected.Records.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_poison_message_is_reported_rejected_to_the_dead_letter_queue_and_the_stream_goes_on()
    {
        var queue = NewName("poison");
        var deadLetters = queue + "-dead";
        await using (var connection = await rabbit.ConnectAsync())
        {
            await using var channel = await connection.CreateChannelAsync();
            await channel.QueueDeclareAsync(deadLetters, durable: true, exclusive: false, autoDelete: false);
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, new Dictionary<string, object?>
            {
                ["x-dead-letter-exchange"] = string.Empty,
                ["x-dead-letter-routing-key"] = deadLetters,
            });
            foreach (var record in Enumerable.Range(0, 10).Select(Record))
            {
                await channel.BasicPublishAsync(string.Empty, queue, Encoding.UTF8.GetBytes(record));
            }

            await channel.BasicPublishAsync(string.Empty, queue, mandatory: false, new BasicProperties { MessageId = "poison-1" }, new byte[] { 0xC3, 0x28, 0xFF }); // not UTF-8
            foreach (var record in Enumerable.Range(10, 10).Select(Record))
            {
                await channel.BasicPublishAsync(string.Empty, queue, Encoding.UTF8.GetBytes(record));
            }
        }

        using var checkpoints = new TempFolder();
        var collected = new CollectedRecords<string>();
        await using (var ssc = Checkpointed(checkpoints, collected, queue))
        {
            ssc.Start();
            await collected.WaitUntilAsync(records => records.Count >= 20);
            await ssc.StopAsync(graceful: true);
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(Record), collected.Records.Order(StringComparer.Ordinal));
        var error = Assert.Single(collected.Errors);
        Assert.Contains("'poison-1'", error.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidDataException>(error.Error);
        Assert.Equal(1u, await rabbit.MessageCountAsync(deadLetters));
        Assert.Equal(0u, await rabbit.MessageCountAsync(queue));
    }

    [Fact]
    public async Task A_broker_restart_mid_stream_loses_no_message()
    {
        var queue = NewName("restart");
        await rabbit.DeclareAndPublishAsync(queue, Enumerable.Range(0, 300).Select(Record));
        using var checkpoints = new TempFolder();
        var collected = new CollectedRecords<string>();
        await using (var ssc = Checkpointed(checkpoints, collected, queue))
        {
            ssc.Start();
            await collected.WaitUntilAsync(records => records.Count >= 300);
            await rabbit.RestartAsync();
            await rabbit.DeclareAndPublishAsync(queue, Enumerable.Range(300, 300).Select(Record));
            await collected.WaitUntilAsync(records => records.Distinct().Count() >= 600, () => rabbit.Server.Log);
            await ssc.StopAsync(graceful: true);
        }

        // At-least-once: a delivery whose acknowledgement was lost in the restart may come twice, none is missing.
        Assert.Equal(Enumerable.Range(0, 600).Select(Record), collected.Records.Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(collected.Errors, e => e.Name.StartsWith("RabbitMqReceiver", StringComparison.Ordinal)); // the dropped connection was reported, then the receiver restarted
    }

    [Fact]
    public void Options_are_checked_when_the_stream_is_defined()
    {
        var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ssc.RabbitMqStream(new RabbitMqStreamOptions { Uri = new Uri("amqp://x/"), Queue = "q", BatchSize = 512, Prefetch = 100 }));
        Assert.Throws<ArgumentException>(() => ssc.RabbitMqStream(new RabbitMqStreamOptions { Uri = new Uri("amqp://x/"), Queue = "" }));
    }

    internal static string Record(int id) => string.Create(CultureInfo.InvariantCulture, $"r{id:D6}");

    private static string NewName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private StreamingContext Checkpointed(TempFolder checkpoints, CollectedRecords<string> collected, string queue) =>
        StreamingContext.GetOrCreate(
            checkpoints.Path,
            () =>
            {
                var ssc = new StreamingContext(TimeSpan.FromMilliseconds(100), new StreamingOptions { ReceiverRestartDelay = TimeSpan.FromMilliseconds(200), Listeners = [collected] });
                collected.Attach(ssc.RabbitMqStream(new RabbitMqStreamOptions { Uri = rabbit.Uri, Queue = queue, BatchSize = 64, Prefetch = 256 }));
                return ssc;
            },
            new CheckpointOptions { ReceiverWriteAheadLog = true });
}
