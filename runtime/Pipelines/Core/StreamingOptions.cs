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

    /// <summary>
    /// Identifies the application in what its outputs record, such as the progress table of the SQLite sink, so a
    /// second application writing under the same sink name gets an error instead of skipping batches it takes for
    /// its own (the role of Spark's application name, or of a Structured Streaming query id). Keep it stable across
    /// restarts. When <c>null</c> (the default) see <see cref="StreamingContext.ApplicationId"/> for the id used.
    /// </summary>
    public string? ApplicationId { get; init; }

    /// <summary>The folder for checkpoints, or <c>null</c> for none (set it before the context starts).</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>How long a receiver waits before it starts again after <c>Restart</c> (Spark: 2 s).</summary>
    public TimeSpan ReceiverRestartDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Rate limits and backpressure for receivers; off by default.</summary>
    public BackpressureOptions Backpressure { get; init; } = new();

    /// <summary>
    /// How long a stop waits for the job loop (default 10 s). A graceful stop that has not finished the batches
    /// already cut by then cancels the batch in flight, as a non-graceful stop does (its batches run again after a
    /// restart from the checkpoint), and waits this long again for the cancellation to be observed; a non-graceful
    /// stop waits this long for the batch in flight to notice cancellation. After that the stop completes without it.
    /// </summary>
    public TimeSpan StopTimeout
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero, nameof(StopTimeout));
            field = value;
        }
    } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether SIGTERM and SIGINT (Ctrl+C) stop the context, as Spark's shutdown hook does (default true). The
    /// signal is handled (the process is not killed by it): the context stops, gracefully when
    /// <see cref="StopGracefullyOnShutdown"/> is set, and <see cref="StreamingContext.AwaitTerminationAsync"/>
    /// returns, so the application's <c>Main</c> ends normally. A second signal while the stop runs terminates the
    /// process at once. Turn it off when a host (e.g. the .NET Generic Host) handles the signals itself.
    /// </summary>
    public bool StopOnShutdownSignal { get; init; } = true;

    /// <summary>
    /// Whether a SIGTERM or SIGINT stops gracefully (Spark's <c>spark.streaming.stopGracefullyOnShutdown</c>,
    /// default false): finish the batches already cut and write the final checkpoint, within
    /// <see cref="StopTimeout"/>. When false the batch in flight is cancelled; the checkpoint stays consistent and
    /// a restart runs that batch again.
    /// </summary>
    public bool StopGracefullyOnShutdown { get; init; }

    /// <summary>
    /// The most batches that may wait in the queue behind the batch in flight (default <c>null</c>: no bound, as
    /// Spark). When the queue is full at a batch time, no batch is cut then: the inputs keep what they received and
    /// the next batch cut after the queue drains holds it (nothing is dropped; those batch times have no batch).
    /// Each skipped batch time is counted in <see cref="StreamingMetrics.BatchesDeferred"/> and logged.
    /// </summary>
    public int? MaxQueuedBatches
    {
        get;
        init
        {
            if (value is { } bound)
            {
                ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bound, nameof(MaxQueuedBatches));
            }

            field = value;
        }
    }

    /// <summary>
    /// The longest record, in bytes of UTF-8 without its line end, that the built-in text sources accept
    /// (<see cref="StreamingContext.SocketTextStream"/> lines and <see cref="StreamingContext.TextFileStream"/>
    /// lines; default 64 MiB). A longer line is skipped without being held in memory, with an error that names the
    /// source and the limit (a receiver error for sockets, a logged error for files) and counted in
    /// <see cref="StreamingMetrics.RecordsTooLong"/>; the records after it are read as usual.
    /// </summary>
    public int MaxRecordLength
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(MaxRecordLength));
            field = value;
        }
    } = DefaultMaxRecordLength;

    /// <summary>
    /// The largest file <see cref="StreamingContext.TextFileStream"/> reads (default 1 GiB). A larger file is not
    /// read: it is reported once (a logged error naming the file, its size and the limit) and never retried.
    /// </summary>
    public long MaxFileSize
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(MaxFileSize));
            field = value;
        }
    } = 1L << 30;

    /// <summary>
    /// Whether <see cref="StreamingContext.TextFileStream"/> follows symbolic links to regular files (default
    /// false: links are skipped with one warning each). Other non-regular entries (FIFOs, devices, sockets) are
    /// always skipped, with one warning each, so that they never block a batch.
    /// </summary>
    public bool FollowSymbolicLinks { get; init; }

    /// <summary>The default of <see cref="MaxRecordLength"/>: 64 MiB.</summary>
    public const int DefaultMaxRecordLength = 64 << 20;

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
