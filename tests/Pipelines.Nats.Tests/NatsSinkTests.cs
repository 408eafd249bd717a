using System.Text;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Pipelines.Testing;

namespace Pipelines.Nats.Tests;

/// <summary>The NATS publish sink against a real <c>nats-server -js</c>.</summary>
public sealed class NatsSinkTests(NatsServer nats) : IClassFixture<NatsServer>
{
    private static readonly string[][] Input = [["a", "b", "c"], ["d"], [], ["e", "f"]];

    [Fact]
    public async Task JetStream_publishing_stores_each_record_once_even_when_the_same_batches_are_written_again()
    {
        var stream = await JetStreamTests.NewStreamAsync(nats, "SINK");

        // Two runs over the same batch times: the second is what a replay after recovery writes again.
        for (var run = 0; run < 2; run++)
        {
            StreamingTest.Run(Input, lines =>
            {
                lines.SaveToNats(nats.Client, stream + ".out", new NatsPublishOptions { JetStream = true, SinkName = "test" });
                return lines;
            }, numBatches: Input.Length);
        }

        var info = await nats.JetStream.GetStreamAsync(stream);
        Assert.Equal(6L, info.Info.State.Messages);
        var consumer = await nats.JetStream.CreateOrderedConsumerAsync(stream);
        var received = new List<string>();
        await foreach (var message in consumer.FetchAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = 6, Expires = TimeSpan.FromSeconds(5) }))
        {
            received.Add(Encoding.UTF8.GetString(message.Data!));
        }

        Assert.Equal(["a", "b", "c", "d", "e", "f"], received);
    }

    [Fact]
    public async Task Core_publishing_reaches_a_subscriber_in_order_with_the_encoded_subjects()
    {
        var subject = "sink." + Guid.NewGuid().ToString("N")[..8];
        var received = new List<(string Subject, string Data)>();
        using var done = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var subscription = await nats.Client.SubscribeCoreAsync<byte[]>(subject + ".>");
        var reading = Task.Run(async () =>
        {
            await foreach (var message in subscription.Msgs.ReadAllAsync(done.Token))
            {
                received.Add((message.Subject, Encoding.UTF8.GetString(message.Data!)));
                if (received.Count == 6)
                {
                    return;
                }
            }
        });

        StreamingTest.Run(Input, lines =>
        {
            lines.SaveToNats(nats.Client, line => new NatsMessage($"{subject}.{line}", Encoding.UTF8.GetBytes(line.ToUpperInvariant())));
            return lines;
        }, numBatches: Input.Length);
        await reading;
        await subscription.DisposeAsync();
        Assert.Equal(Input.SelectMany(b => b).Select(l => ($"{subject}.{l}", l.ToUpperInvariant())), received);
    }
}
