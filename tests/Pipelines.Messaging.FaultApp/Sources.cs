using Pipelines.Nats;
using Pipelines.RabbitMq;
using Pipelines.Redis;

namespace Pipelines.Messaging.FaultApp;

/// <summary>Opens the reliable input stream a source address names.</summary>
public static class Sources
{
    /// <summary>The consumer (group, durable consumer, ...) name the app reads as: stable across restarts.</summary>
    public const string Consumer = "fault-app";

    /// <summary>Opens <paramref name="source"/> on <paramref name="context"/>.</summary>
    public static DStream<string> Open(StreamingContext context, Uri source)
    {
        var address = $"{source.Host}:{source.Port}";
        var name = source.AbsolutePath.Trim('/');
        return source.Scheme switch
        {
            "redis" => context.RedisStream(new RedisStreamOptions { Configuration = address, Stream = name, Group = Consumer, Consumer = Consumer }),
            "nats" => context.NatsJetStream(new NatsJetStreamOptions { Url = source.GetLeftPart(UriPartial.Authority), Stream = name, Consumer = Consumer, AckWait = TimeSpan.FromSeconds(2), PollInterval = TimeSpan.FromMilliseconds(20) }),
            "amqp" => context.RabbitMqStream(new RabbitMqStreamOptions { Uri = new Uri($"amqp://guest:guest@{address}/"), Queue = name }),
            _ => throw new ArgumentException($"Unknown source scheme '{source.Scheme}' in '{source}': use redis://, nats:// or amqp://.", nameof(source)),
        };
    }
}
