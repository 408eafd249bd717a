namespace Pipelines.Nats;

/// <summary>Where and how <see cref="NatsStreamingContextExtensions.NatsJetStream(StreamingContext, NatsJetStreamOptions)"/> reads a JetStream stream.</summary>
public sealed record NatsJetStreamOptions
{
    /// <summary>The server URL, e.g. <c>nats://127.0.0.1:4222</c>.</summary>
    public required string Url { get; init; }

    /// <summary>The JetStream stream to read (it must exist).</summary>
    public required string Stream { get; init; }

    /// <summary>
    /// The durable pull consumer's name (created with explicit acknowledgement when it does not exist). Keep it
    /// stable across restarts: the server remembers what it acknowledged and delivers the rest again.
    /// </summary>
    public required string Consumer { get; init; }

    /// <summary>Only messages on subjects matching this filter (e.g. <c>orders.*</c>); <c>null</c> for all of the stream.</summary>
    public string? FilterSubject { get; init; }

    /// <summary>The most messages one fetch returns; they become one block in the write-ahead log. 256 by default.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>How long to wait before fetching again when the consumer had nothing new; 50 ms by default.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// How long the server waits for an acknowledgement before it delivers a message again (the consumer's
    /// <c>ack_wait</c>, set when the consumer is created); after a crash, unacknowledged messages come back after this.
    /// 30 s by default.
    /// </summary>
    public TimeSpan AckWait { get; init; } = TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Url);
        ArgumentException.ThrowIfNullOrWhiteSpace(Stream);
        ArgumentException.ThrowIfNullOrWhiteSpace(Consumer);
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PollInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(AckWait, TimeSpan.Zero);
    }
}
