namespace Pipelines.Redis;

/// <summary>Where and how <see cref="RedisStreamingContextExtensions.RedisStream(StreamingContext, RedisStreamOptions)"/> reads a Redis stream.</summary>
public sealed record RedisStreamOptions
{
    /// <summary>The StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c>.</summary>
    public required string Configuration { get; init; }

    /// <summary>The key of the Redis stream (created, empty, with the group when it does not exist).</summary>
    public required string Stream { get; init; }

    /// <summary>The consumer group (created at the stream's start, <c>0</c>, when it does not exist).</summary>
    public required string Group { get; init; }

    /// <summary>
    /// This reader's consumer name in the group. Keep it stable across restarts: after a crash, the entries delivered
    /// to this consumer and not yet acknowledged are read again under this name. Defaults to the machine name.
    /// </summary>
    public string Consumer { get; init; } = Environment.MachineName;

    /// <summary>The field whose value is the record, for the <see cref="string"/> stream; <c>data</c> by default.</summary>
    public string Field { get; init; } = "data";

    /// <summary>The most entries one <c>XREADGROUP</c> returns; they become one block in the write-ahead log. 256 by default.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>How long to wait before reading again when the stream had nothing new; 50 ms by default.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(Stream);
        ArgumentException.ThrowIfNullOrWhiteSpace(Group);
        ArgumentException.ThrowIfNullOrWhiteSpace(Consumer);
        ArgumentException.ThrowIfNullOrWhiteSpace(Field);
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PollInterval, TimeSpan.Zero);
    }
}
