namespace Pipelines.Kafka;

/// <summary>Settings of <see cref="KafkaSinks.SaveToKafka{T, TKey, TValue}"/>.</summary>
public sealed record KafkaSinkOptions
{
    /// <summary>
    /// The topic of the sink's progress records (one per written batch: key = the sink's name, value = the batch
    /// time in milliseconds, written in the batch's transaction). Default: <c>pipelines-progress-</c> followed by
    /// the transactional id (characters Kafka does not allow in topic names become '_'). On a real cluster, create it
    /// with <c>cleanup.policy=compact</c> so it stays small.
    /// </summary>
    public string? ProgressTopic { get; init; }

    /// <summary>The sink's name in its progress records (default: the output topic). Two sinks sharing a progress topic need different names.</summary>
    public string? Name { get; init; }

    /// <summary>How long initializing, committing or aborting a transaction may take (default 30 s).</summary>
    public TimeSpan TransactionTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
