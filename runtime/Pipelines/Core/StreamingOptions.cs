using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pipelines;

/// <summary>Settings of a <see cref="StreamingContext"/>; every one has a default.</summary>
public sealed class StreamingOptions
{
    /// <summary>The clock that cuts time into batches. Tests pass a <see cref="Testing.ManualClock"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where logs go. Defaults to no logging.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Where <c>Print</c> writes. Defaults to <see cref="Console.Out"/>.</summary>
    public TextWriter? Output { get; init; }

    /// <summary>The folder for checkpoints, or <c>null</c> for none (set it before the context starts).</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>How long a receiver waits before it starts again after <c>Restart</c> (Spark: 2 s).</summary>
    public TimeSpan ReceiverRestartDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Rate limits and backpressure for receivers; off by default.</summary>
    public BackpressureOptions Backpressure { get; init; } = new();

    /// <summary>How long a non-graceful stop waits for the batch in flight to notice cancellation.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Listeners told about batches and receivers; more can be added with <see cref="StreamingContext.AddStreamingListener"/>.</summary>
    public IList<IStreamingListener> Listeners { get; init; } = new List<IStreamingListener>();

    /// <summary>
    /// How many partitions of a batch run at the same time (narrow stages, the map and reduce sides of shuffles,
    /// compiled stages). 1 runs every partition on the job thread, one after the other. Defaults to
    /// <see cref="Environment.ProcessorCount"/>, or to the environment variable <c>PIPELINES_PARALLELISM</c> when it
    /// holds a positive integer. It is also the default number of partitions of a shuffle's output.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public int Parallelism
    {
        get => _parallelism;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _parallelism = value;
        }
    }

    /// <summary>
    /// How often a receiver cuts the records it stored into a block (Spark's <c>spark.streaming.blockInterval</c>,
    /// default 200 ms): each block is one partition of the batch, so a batch interval of 1 s gives about 5 partitions.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan BlockInterval
    {
        get => _blockInterval;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _blockInterval = value;
        }
    }

    /// <summary>
    /// The most records one partition of an input batch holds: <c>QueueStream</c> collections, <c>TextFileStream</c>
    /// files and receiver blocks larger than this are split into partitions of this size, records in order.
    /// Defaults to 16384, or to the environment variable <c>PIPELINES_INPUT_PARTITION_RECORDS</c> when set.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public int InputPartitionRecords
    {
        get => _inputPartitionRecords;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _inputPartitionRecords = value;
        }
    }

    private readonly int _parallelism = FromEnvironment("PIPELINES_PARALLELISM", Environment.ProcessorCount);
    private readonly TimeSpan _blockInterval = TimeSpan.FromMilliseconds(200);
    private readonly int _inputPartitionRecords = FromEnvironment("PIPELINES_INPUT_PARTITION_RECORDS", 16384);

    private static int FromEnvironment(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : fallback;
}
