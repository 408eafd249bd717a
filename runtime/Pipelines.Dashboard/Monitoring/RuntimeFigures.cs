namespace Pipelines.Dashboard.Monitoring;

/// <summary>
/// The figures Spark's Streaming tab does not show, for the page and <c>/api/status</c>: each stream's own time
/// (per fused stage or operator, from <see cref="IStreamingListener.OnStreamComputed"/>), the state and window data
/// it holds and its partitions (<see cref="StreamingContext.DescribeStreams"/>), each input's rate limit and
/// write-ahead log (<see cref="StreamingContext.DescribeInputs"/>), and the checkpoints written
/// (<see cref="IStreamingListener.OnCheckpointWritten"/>), and each input's record rate (from
/// <see cref="BatchInfo.InputRecords"/> of the completed batches). Memory stays bounded: one entry per stream and per
/// input, each input keeping the counts of its last <see cref="RateBatches"/> batches.
/// </summary>
internal sealed class RuntimeFigures : IStreamingListener
{
    private readonly object _gate = new();
    private readonly Dictionary<int, StreamTiming> _timings = [];
    private readonly Dictionary<int, InputRate> _rates = [];
    private CheckpointInfo? _lastCheckpoint;
    private long _checkpoints;
    private TimeSpan _checkpointTime;

    /// <summary>How many of the latest batches an input's records-per-second rate averages over.</summary>
    public const int RateBatches = 10;

    /// <summary>Raised after a checkpoint was written (stream timings arrive with batches, which raise their own change).</summary>
    public event Action? Changed;

    public bool WantsStreamTimings => true;

    public void OnStreamComputed(StreamComputedInfo stream)
    {
        lock (_gate)
        {
            if (!_timings.TryGetValue(stream.StreamId, out var timing))
            {
                timing = new StreamTiming();
                _timings[stream.StreamId] = timing;
            }

            timing.Last = stream;
            timing.Count++;
            timing.Total += stream.OwnTime;
        }
    }

    public void OnBatchCompleted(BatchInfo batch)
    {
        lock (_gate)
        {
            foreach (var (inputId, records) in batch.InputRecords)
            {
                if (!_rates.TryGetValue(inputId, out var rate))
                {
                    rate = new InputRate();
                    _rates[inputId] = rate;
                }

                rate.Add(records);
            }
        }
    }

    public void OnCheckpointWritten(CheckpointInfo checkpoint)
    {
        lock (_gate)
        {
            _lastCheckpoint = checkpoint;
            _checkpoints++;
            _checkpointTime += checkpoint.Duration;
        }

        Changed?.Invoke();
    }

    /// <summary>Reads the context's snapshots and joins them with the timings; the copy is the caller's.</summary>
    public FiguresView Snapshot(StreamingContext context)
    {
        var streams = context.DescribeStreams();
        var inputs = context.DescribeInputs();
        var streamViews = new StreamFiguresView[streams.Count];
        var maxPartitions = 0;
        lock (_gate)
        {
            for (var i = 0; i < streamViews.Length; i++)
            {
                var s = streams[i];
                _timings.TryGetValue(s.Id, out var timing);
                var last = timing?.Last;
                streamViews[i] = new StreamFiguresView(
                    s.Id,
                    s.Name,
                    s.Kind.ToString(),
                    s.DependencyIds,
                    last is null ? null : Ms(last.OwnTime),
                    timing is { Count: > 0 } ? Ms(timing.Total / timing.Count) : null,
                    last?.BatchTime.Milliseconds,
                    last?.Records,
                    s.Partitions,
                    s.RememberedBatches,
                    s.RememberedRecords,
                    s.StateKeys,
                    s.EstimatedStateBytes,
                    s.WindowBatchesHeld,
                    s.WindowRecordsHeld);
                maxPartitions = Math.Max(maxPartitions, s.Partitions ?? 0);
            }

            var inputViews = new InputFiguresView[inputs.Count];
            for (var i = 0; i < inputViews.Length; i++)
            {
                var input = inputs[i];
                _rates.TryGetValue(input.InputId, out var rate);
                inputViews[i] = new InputFiguresView(
                    input.InputId,
                    input.StreamId,
                    input.Name,
                    input.RateLimit,
                    input.WriteAheadLogBytes,
                    rate?.Last,
                    rate?.PerSecond(context.BatchInterval),
                    rate?.Total ?? 0);
            }

            var checkpoint = _lastCheckpoint is { } c
                ? new CheckpointView(c.Time.Milliseconds, Ms(c.Duration), c.Bytes, _checkpoints, Ms(_checkpointTime / _checkpoints))
                : null;
            long? walBytes = null;
            foreach (var input in inputs)
            {
                if (input.WriteAheadLogBytes is { } bytes)
                {
                    walBytes = (walBytes ?? 0) + bytes;
                }
            }

            return new FiguresView(streamViews, inputViews, checkpoint, walBytes, maxPartitions, context.Options.Parallelism);
        }
    }

    private static double Ms(TimeSpan duration) => duration.TotalMilliseconds;

    private sealed class StreamTiming
    {
        public StreamComputedInfo? Last { get; set; }

        public long Count { get; set; }

        public TimeSpan Total { get; set; }
    }

    /// <summary>An input's records in its last <see cref="RateBatches"/> batches (a ring), and in all of them.</summary>
    private sealed class InputRate
    {
        private readonly long[] _recent = new long[RateBatches];
        private int _count;
        private int _next;

        public long? Last { get; private set; }

        public long Total { get; private set; }

        public void Add(long records)
        {
            _recent[_next] = records;
            _next = (_next + 1) % _recent.Length;
            _count = Math.Min(_count + 1, _recent.Length);
            Last = records;
            Total += records;
        }

        /// <summary>Records per second over the kept batches: their records over their batch intervals.</summary>
        public double? PerSecond(TimeSpan batchInterval)
        {
            if (_count == 0 || batchInterval <= TimeSpan.Zero)
            {
                return null;
            }

            long sum = 0;
            for (var i = 0; i < _count; i++)
            {
                sum += _recent[i];
            }

            return sum / (_count * batchInterval.TotalSeconds);
        }
    }
}

// The JSON shapes (camelCase); times are Unix milliseconds, durations milliseconds, sizes bytes.

/// <summary>What the page's "Streams", "Inputs" and "Checkpoints" sections show.</summary>
/// <param name="Streams">Every stream, dependencies first.</param>
/// <param name="Inputs">Every input, in creation order.</param>
/// <param name="Checkpoint">The last checkpoint written; <c>null</c> when none was.</param>
/// <param name="WriteAheadLogBytes">The write-ahead logs' total size; <c>null</c> when no input has one.</param>
/// <param name="MaxPartitions">The most partitions of any stream's newest batch: how many tasks a batch's stages could run at once.</param>
/// <param name="Parallelism">The context's <see cref="StreamingOptions.Parallelism"/>: how many partitions run at the same time.</param>
internal sealed record FiguresView(
    IReadOnlyList<StreamFiguresView> Streams,
    IReadOnlyList<InputFiguresView> Inputs,
    CheckpointView? Checkpoint,
    long? WriteAheadLogBytes,
    int MaxPartitions,
    int Parallelism);

internal sealed record StreamFiguresView(
    int Id,
    string Name,
    string Kind,
    IReadOnlyList<int> DependsOn,
    double? LastOwnTimeMs,
    double? AverageOwnTimeMs,
    long? LastBatchTime,
    long? LastRecords,
    int? Partitions,
    int RememberedBatches,
    long RememberedRecords,
    long? StateKeys,
    long? StateBytes,
    int? WindowBatches,
    long? WindowRecords);

internal sealed record InputFiguresView(
    int InputId,
    int? StreamId,
    string Name,
    double? RateLimit,
    long? WriteAheadLogBytes,
    long? LastRecords,
    double? RecordsPerSecond,
    long TotalRecords);

internal sealed record CheckpointView(long Time, double DurationMs, long Bytes, long Count, double AverageDurationMs);
