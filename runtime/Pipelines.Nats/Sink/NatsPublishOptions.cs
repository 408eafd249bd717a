namespace Pipelines.Nats;

/// <summary>How <see cref="NatsSinkExtensions.SaveToNats{T}(DStream{T}, NATS.Client.Core.INatsConnection, Func{T, NatsMessage}, NatsPublishOptions?)"/> publishes.</summary>
public sealed record NatsPublishOptions
{
    /// <summary>
    /// Publish through JetStream and wait for each message's acknowledgement (the batch fails, and is retried on
    /// recovery, when a message is not stored). Each message carries the id <c>&lt;SinkName&gt;:&lt;batch time ms&gt;:&lt;index&gt;</c>
    /// (<c>Nats-Msg-Id</c>), so the stream drops a replayed batch's messages within its duplicate window: exactly once
    /// for replays inside that window. <c>false</c> (the default): core NATS publish, at-most-once.
    /// </summary>
    public bool JetStream { get; init; }

    /// <summary>The name that makes this sink's message ids unique among the writers of the stream; <c>pipelines</c> by default.</summary>
    public string SinkName { get; init; } = "pipelines";
}
