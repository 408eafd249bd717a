namespace Pipelines.RabbitMq;

/// <summary>Where and how <see cref="RabbitMqStreamingContextExtensions.RabbitMqStream(StreamingContext, RabbitMqStreamOptions)"/> reads a RabbitMQ queue.</summary>
public sealed record RabbitMqStreamOptions
{
    /// <summary>The broker's AMQP URI, e.g. <c>amqp://guest:guest@127.0.0.1:5672/</c>.</summary>
    public required Uri Uri { get; init; }

    /// <summary>The queue to consume.</summary>
    public required string Queue { get; init; }

    /// <summary>
    /// Declare the queue (durable, not exclusive, not auto-deleted) when the receiver starts; <c>false</c> (the
    /// default) expects it to exist, as queues are usually declared with their bindings and dead-letter settings.
    /// </summary>
    public bool DeclareQueue { get; init; }

    /// <summary>The most deliveries stored as one block (and acknowledged with one multiple-ack); 256 by default.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>The consumer's prefetch (unacknowledged deliveries the broker sends ahead); 1024 by default, at least <see cref="BatchSize"/>.</summary>
    public ushort Prefetch { get; init; } = 1024;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Uri);
        ArgumentException.ThrowIfNullOrWhiteSpace(Queue);
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan((int)Prefetch, BatchSize, nameof(Prefetch));
    }
}
