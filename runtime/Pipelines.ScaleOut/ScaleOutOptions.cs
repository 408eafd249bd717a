using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pipelines.ScaleOut;

/// <summary>
/// How one instance of a scaled-out application joins the others: instances with the same
/// <see cref="ApplicationId"/> form one Kafka consumer group (cooperative-sticky) that divides the input partitions
/// among them; the internal topics are named after the application id.
/// </summary>
public sealed class ScaleOutOptions
{
    /// <summary>The application id: the consumer group, the prefix of the internal topics and of the transactional ids. Required.</summary>
    public required string ApplicationId { get; init; }

    /// <summary>The brokers (<c>host:port,...</c>). Required.</summary>
    public required string BootstrapServers { get; init; }

    /// <summary>This instance's id, carried by its logs, listener events and metrics. Default: host name and process id.</summary>
    public string InstanceId { get; init; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>The batch interval; the same on every instance of the application. Default 1 s.</summary>
    public TimeSpan BatchInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// At most this many records of one input partition go into one batch (Spark's <c>maxRatePerPartition</c> × the
    /// interval). A partition with a backlog catches up over several batches. Default 10,000.
    /// </summary>
    public int MaxRecordsPerPartition { get; init; } = 10_000;

    /// <summary>
    /// How long the group waits for a silent instance before its partitions move (Kafka's <c>session.timeout.ms</c>).
    /// Default 10 s; a SIGKILLed instance's partitions are taken over after about this long.
    /// </summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a Kafka call (transaction init/commit, watermarks, reading a range) may take before it fails. Default 30 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Further librdkafka settings for every client the instance creates (security, timeouts...).</summary>
    public IReadOnlyDictionary<string, string> KafkaConfig { get; init; } = new Dictionary<string, string>();

    /// <summary>Where the instance logs (which partitions it owns, takeovers, fencing).</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Listeners told about ownership changes and committed batches.</summary>
    public IList<IScaleOutListener> Listeners { get; init; } = new List<IScaleOutListener>();

    /// <summary>The internal topic (1 partition) holding the agreed zero time: <c>&lt;ApplicationId&gt;-zero</c>.</summary>
    public string ZeroTimeTopic => ApplicationId + "-zero";

    /// <summary>The internal topic holding each partition's committed batches and positions: <c>&lt;ApplicationId&gt;-positions</c>.</summary>
    public string PositionsTopic => ApplicationId + "-positions";

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(ApplicationId))
        {
            throw new ArgumentException("Set ScaleOutOptions.ApplicationId: every instance of one application uses the same id.", nameof(ApplicationId));
        }

        if (string.IsNullOrWhiteSpace(BootstrapServers))
        {
            throw new ArgumentException("Set ScaleOutOptions.BootstrapServers (host:port of one or more brokers).", nameof(BootstrapServers));
        }

        if (BatchInterval <= TimeSpan.Zero || BatchInterval.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchInterval), BatchInterval, "The batch interval must be a positive whole number of milliseconds.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxRecordsPerPartition);
        if (SessionTimeout < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(SessionTimeout), SessionTimeout, "The session timeout must be at least 1 s.");
        }
    }

    internal T Apply<T>(T config)
        where T : ClientConfig
    {
        foreach (var (key, value) in KafkaConfig)
        {
            config.Set(key, value);
        }

        config.BootstrapServers = BootstrapServers;
        return config;
    }
}
