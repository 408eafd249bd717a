namespace Pipelines.Nats;

/// <summary>A message as a NATS receiver hands it to the decoder: its subject and its payload.</summary>
/// <param name="Subject">The subject the message was published on.</param>
/// <param name="Data">The payload bytes.</param>
public readonly record struct NatsMessage(string Subject, ReadOnlyMemory<byte> Data);
