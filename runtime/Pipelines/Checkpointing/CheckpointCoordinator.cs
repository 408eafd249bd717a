using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pipelines.Scheduling;

namespace Pipelines.Checkpointing;

/// <summary>
/// Connects a context to its checkpoint folder: loads the checkpoint to recover from, restores streams and
/// inputs, journals every generated batch before it is queued, writes checkpoints after completed batches
/// (when due) and on graceful stop, and trims the journal to what the retained checkpoints may still need.
/// </summary>
internal sealed class CheckpointCoordinator : IDisposable
{
    private readonly StreamingContext _context;
    private readonly ILogger _logger;
    private readonly object _pendingGate = new();
    private readonly SortedSet<BatchTime> _pending = [];
    private readonly List<(string Key, ICheckpointedStream Stream, TimeSpan Interval)> _streams = [];
    private readonly List<(string Key, ICheckpointedInput Input)> _replayable = [];
    private readonly List<(BatchTime Time, long Records)> _replay = [];
    private readonly List<WriteAheadLog> _logs = [];
    private readonly Dictionary<DStream, string> _keys = new(ReferenceEqualityComparer.Instance);
    private readonly SortedDictionary<string, string> _sources = new(StringComparer.Ordinal);
    private readonly List<Sources.IInputDStream> _unreplayable = [];
    private readonly List<string> _problems = [];
    private IEnumerator<(BatchTime Time, string Path, CheckpointMetadata Value)>? _candidates;
    private List<Action> _loads = [];
    private CheckpointMetadata? _recovered;
    private string? _recoveredPath;
    private string? _applicationId;
    private bool _planned;
    private JobScheduler? _scheduler;
    private string _graph = string.Empty;
    private BatchTime _zeroTime;
    private BatchTime _lastWritten = new(long.MinValue);
    private TimeSpan _inputRemember;
    private volatile bool _failed;

    public CheckpointCoordinator(StreamingContext context, string directory, CheckpointOptions options)
    {
        options.Validate();
        _context = context;
        Options = options;
        _logger = context.LoggerFactory.CreateLogger<CheckpointCoordinator>();
        Store = new CheckpointStore(directory, options.RetainedCheckpoints, _logger);
        Journal = new BatchJournal(Store.Directory, _logger);
    }

    public CheckpointOptions Options { get; }

    public CheckpointStore Store { get; }

    public BatchJournal Journal { get; }

    /// <summary>The folder of the receivers' write-ahead logs, one subfolder per stream.</summary>
    public string ReceivedDataDirectory => Path.Combine(Store.Directory, "receivedData");

    /// <summary>The checkpoint being recovered from, once <see cref="LoadForRecovery"/> found one.</summary>
    public CheckpointMetadata? Recovered => _recovered;

    /// <summary>The application id kept in the checkpoints: the recovered one, else the context's generated one.</summary>
    public string ApplicationId => _applicationId ?? _recovered?.ApplicationId ?? _context.GeneratedApplicationId;

    /// <summary>The time of the last batch restored from the checkpoint (before the pending ones replay).</summary>
    public BatchTime? RestoredTime => _recovered?.Time;

    /// <summary>Reads the newest usable checkpoint and checks it against this context (interval, fingerprints).</summary>
    public void LoadForRecovery()
    {
        _candidates = Store.LoadUsable(CheckpointMetadata.Parse, _problems).GetEnumerator();
        if (!_candidates.MoveNext())
        {
            if (_problems.Count == 0)
            {
                _logger.LogInformation("No checkpoint in {Directory}; starting fresh", Store.Directory);
            }
            else
            {
                StartFreshOrFail(Store.NoneUsable(_problems));
            }

            return;
        }

        var found = _candidates.Current;
        var incompatibility = DescribeIncompatibility(found.Value);
        if (incompatibility is not null)
        {
            if (!Options.DiscardIncompatible)
            {
                throw new CheckpointException(
                    $"The checkpoint '{found.Path}' cannot be used: {incompatibility}. To start fresh and lose the saved state, set CheckpointOptions.DiscardIncompatible = true or delete the folder '{Store.Directory}'; to recover, run the pipeline definition that wrote it.");
            }

            _logger.LogWarning("Discarding the checkpoints in {Directory} ({Reason}) as CheckpointOptions.DiscardIncompatible asks; starting fresh", Store.Directory, incompatibility);
            _applicationId = found.Value.ApplicationId; // the same application, starting over
            DiscardAll();
            return;
        }

        _recovered = found.Value;
        _recoveredPath = found.Path;
    }

    /// <summary>
    /// The zero time to start with: the checkpoint's when recovering, else <paramref name="proposed"/>. Called by
    /// <c>Start</c> before the streams are initialized; picks the checkpoint to recover from: the newest whose
    /// graph and sources match this context and whose data can be read back (an older one when the newest cannot).
    /// </summary>
    public BatchTime ChooseZeroTime(BatchTime proposed)
    {
        PlanGraph();
        if (_recovered is not null)
        {
            SelectRestorable();
        }

        return _recovered?.ZeroTime ?? proposed;
    }

    /// <summary>
    /// Called once the streams are initialized: restores them and the inputs when recovering, plans the batches
    /// to replay, and writes the first checkpoint when starting fresh.
    /// </summary>
    public void Prepare(BatchTime zeroTime)
    {
        _zeroTime = zeroTime;
        Store.EnsureWritable();
        PlanGraph();
        if (_recovered is null && (Store.List().Count > 0 || File.Exists(Journal.Path) || System.IO.Directory.Exists(ReceivedDataDirectory)))
        {
            _logger.LogWarning("Starting fresh over the checkpoints in {Directory}; they are replaced. Use StreamingContext.GetOrCreate to recover from them instead", Store.Directory);
            DiscardAll();
        }

        foreach (var input in _context.Inputs)
        {
            if (input is DStream stream && _keys.ContainsKey(stream) && stream.RememberDuration > _inputRemember)
            {
                _inputRemember = stream.RememberDuration;
            }
        }

        foreach (var (key, input) in _replayable)
        {
            if (input is IWriteAheadLoggedInput logged)
            {
                var log = new WriteAheadLog(Path.Combine(ReceivedDataDirectory, key), Options.WriteAheadLogSegmentBytes, _logger);
                _logs.Add(log);
                logged.EnableWriteAheadLog(log, Options.SerializerOptions, Fail);
            }
        }

        foreach (var input in _unreplayable)
        {
            _logger.LogWarning("Input {Input} cannot replay its records: batches that were pending at a failure are recomputed without them. Use a replayable source (files), or a receiver with CheckpointOptions.ReceiverWriteAheadLog, for no data loss", input);
        }

        if (_recovered is { } recovered)
        {
            Restore(recovered);
            _lastWritten = recovered.Time;
        }
        else
        {
            WriteCheckpoint(zeroTime, force: true);
        }
    }

    /// <summary>Walks the stream graph once: its shape, the keys of streams and inputs, the streams that save data and the inputs that replay.</summary>
    private void PlanGraph()
    {
        if (_planned)
        {
            return;
        }

        _planned = true;
        var graph = new StringBuilder();
        foreach (var stream in _context.Graph?.Streams ?? StreamGraph.Build(_context.Outputs).Streams)
        {
            Walk(stream, _keys, graph);
        }

        _graph = graph.ToString();
        foreach (var input in _context.Inputs)
        {
            if (input is not DStream stream || !_keys.TryGetValue(stream, out var key))
            {
                continue; // not read by any output
            }

            if (input.SourceIdentity is { } identity)
            {
                _sources[key] = identity;
            }

            if (input is IWriteAheadLoggedInput logged)
            {
                if (Options.ReceiverWriteAheadLog)
                {
                    _replayable.Add((key, logged));
                    continue;
                }
            }
            else if (input is ICheckpointedInput replayable)
            {
                _replayable.Add((key, replayable));
                continue;
            }

            _unreplayable.Add(input);
        }
    }

    /// <summary>
    /// Checks the checkpoint picked by <see cref="LoadForRecovery"/> against the graph and the sources (a mismatch
    /// fails, or starts fresh with DiscardIncompatible), then reads its data; when the data cannot be restored,
    /// falls back to the next older usable checkpoint, and when none can, fails listing every file (or starts fresh
    /// with DiscardIncompatible).
    /// </summary>
    private void SelectRestorable()
    {
        var checkpoint = _recovered!;
        var newest = checkpoint;
        var incompatibility = !string.Equals(checkpoint.Graph, _graph, StringComparison.Ordinal)
            ? $"it was written by a different stream graph ({checkpoint.Graph}) than this one ({_graph})"
            : DescribeSourceChange(checkpoint);
        if (incompatibility is not null)
        {
            _recovered = null;
            if (!Options.DiscardIncompatible)
            {
                throw new CheckpointException(
                    $"The checkpoint in '{Store.Directory}' cannot be used: {incompatibility}. To start fresh and lose the saved state, set CheckpointOptions.DiscardIncompatible = true or delete the folder; to recover, run the definition that wrote it, reading the same sources.");
            }

            _logger.LogWarning("Discarding the checkpoints in {Directory} ({Reason}) as CheckpointOptions.DiscardIncompatible asks; starting fresh", Store.Directory, incompatibility);
            _applicationId = checkpoint.ApplicationId;
            DiscardAll();
            return;
        }

        var path = _recoveredPath!;
        while (true)
        {
            var problem = ReadData(checkpoint);
            if (problem is null)
            {
                _recovered = checkpoint;
                _logger.LogInformation("Recovering from checkpoint {Path} (last completed batch {Time}, {Pending} pending)", path, checkpoint.Time, checkpoint.Pending.Count);
                return;
            }

            Store.Skip(path, problem, _problems);
            var (older, olderPath) = NextCandidate(newest);
            if (older is not null)
            {
                (checkpoint, path) = (older, olderPath);
            }
            else
            {
                _recovered = null;
                _applicationId = newest.ApplicationId; // the same application, starting over
                StartFreshOrFail(Store.NoneUsable(_problems));
                return;
            }
        }
    }

    /// <summary>The next older usable checkpoint written by the same run as <paramref name="newer"/> (same interval, zero time, graph, sources and fingerprints).</summary>
    private (CheckpointMetadata? Checkpoint, string Path) NextCandidate(CheckpointMetadata newer)
    {
        while (_candidates!.MoveNext())
        {
            var (_, path, older) = _candidates.Current;
            var difference = older.ZeroTime != newer.ZeroTime
                ? $"it was written by another run (zero time {older.ZeroTime}, not {newer.ZeroTime})"
                : DescribeIncompatibility(older)
                    ?? (!string.Equals(older.Graph, _graph, StringComparison.Ordinal) ? "it was written by a different stream graph" : DescribeSourceChange(older));
            if (difference is null)
            {
                return (older, path);
            }

            Store.Skip(path, difference, _problems);
        }

        return (null, string.Empty);
    }

    /// <summary>Reads and checks every stream's and input's data in <paramref name="checkpoint"/>, changing nothing; returns why it cannot be restored, or <c>null</c>.</summary>
    private string? ReadData(CheckpointMetadata checkpoint)
    {
        var options = Options.SerializerOptions;
        var loads = new List<Action>();
        foreach (var (key, stream, _) in _streams)
        {
            if (checkpoint.Stream(key) is not { } state)
            {
                return $"it holds no data for the stream {key}";
            }

            try
            {
                loads.Add(stream.ReadState(checkpoint.Time, state, options));
            }
            catch (Exception error) when (CheckpointStore.IsContentError(error))
            {
                return $"the data of the stream {key} cannot be restored ({error.Message})";
            }
        }

        foreach (var (key, input) in _replayable)
        {
            if (checkpoint.Input(key) is not { } position)
            {
                continue;
            }

            try
            {
                loads.Add(input.ReadPosition(position, options));
            }
            catch (Exception error) when (CheckpointStore.IsContentError(error))
            {
                return $"the position of the input {key} cannot be restored ({error.Message})";
            }
        }

        _loads = loads;
        return null;
    }

    /// <summary>How the sources differ from those <paramref name="checkpoint"/> was written with, or <c>null</c>.</summary>
    private string? DescribeSourceChange(CheckpointMetadata checkpoint)
    {
        var problems = new List<string>();
        foreach (var (key, identity) in _sources)
        {
            if (checkpoint.Sources.TryGetValue(key, out var saved) && !string.Equals(saved, identity, StringComparison.Ordinal))
            {
                problems.Add($"the input {key} reads {identity}, and the checkpoint was written reading {saved}");
            }
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    /// <summary>No checkpoint can be used: fails with <paramref name="error"/>, or with DiscardIncompatible starts fresh.</summary>
    private void StartFreshOrFail(CheckpointException error)
    {
        if (!Options.DiscardIncompatible)
        {
            throw error;
        }

        _logger.LogWarning("{Problem} Starting fresh, as CheckpointOptions.DiscardIncompatible asks", error.Message);
        DiscardAll();
    }

    /// <summary>Re-seals the batches to replay (under the scheduler's generation lock) and returns them in order.</summary>
    public IReadOnlyList<(BatchTime Time, long Records)> TakeReplay(JobScheduler scheduler)
    {
        _scheduler = scheduler;
        var replay = _replay.ToArray();
        _replay.Clear();
        return replay;
    }

    /// <summary>Journals the batch just sealed at <paramref name="time"/>; called under the scheduler's generation lock, before the batch is queued.</summary>
    public void OnBatchGenerated(BatchTime time)
    {
        var payload = JournalEntry.Create(time, _replayable, Options.SerializerOptions);
        Journal.Append(payload);
        lock (_pendingGate)
        {
            _pending.Add(time);
        }
    }

    /// <summary>Called on the job loop after the batch at <paramref name="time"/> ran and its metadata was cleared.</summary>
    public void OnBatchCompleted(BatchTime time)
    {
        lock (_pendingGate)
        {
            _pending.Remove(time);
        }

        if (IsDue(time))
        {
            WriteCheckpoint(time, force: false);
        }
    }

    /// <summary>Writes the final checkpoint after a graceful stop finished every queued batch.</summary>
    public void OnStopped(BatchTime lastCompleted)
    {
        if (lastCompleted > _lastWritten)
        {
            WriteCheckpoint(lastCompleted, force: false);
        }
    }

    /// <summary>Whether a failed batch or a failed checkpoint write stopped checkpointing: no batch runs or is recorded after it.</summary>
    public bool HasFailed => _failed;

    /// <summary>
    /// Called on the job loop when an output of the batch at <paramref name="time"/> failed (the error was
    /// reported already): the batch is never recorded as completed, no checkpoint is written after it, and the
    /// context stops, so a restart from the checkpoint runs it (and every batch after it) again.
    /// </summary>
    public void OnBatchFailed(BatchTime time, Exception failure)
    {
        if (_failed)
        {
            return;
        }

        _failed = true;
        _logger.LogError(
            failure,
            "The batch at {BatchTime} failed; stopping the StreamingContext without recording it as completed. A restart from the checkpoint in {Directory} runs it again",
            time,
            Store.Directory);
        _ = Task.Run(() => _context.StopAsync(graceful: false));
    }

    /// <summary>Reports a checkpoint failure: the context fails with it and stops; checkpoints already written stay intact.</summary>
    public void Fail(CheckpointException error)
    {
        if (_failed)
        {
            return;
        }

        _failed = true;
        _logger.LogError(error, "Checkpointing failed; stopping the StreamingContext");
        _context.ReportError(error);
        _ = Task.Run(() => _context.StopAsync(graceful: false));
    }

    public void Dispose()
    {
        Journal.Dispose();
        foreach (var log in _logs)
        {
            log.Dispose();
        }
    }

    internal static TimeSpan DefaultInterval(TimeSpan slide)
    {
        var minimum = TimeSpan.FromSeconds(10);
        return slide * Math.Max(1, (long)(minimum.Ticks / slide.Ticks));
    }

    private bool IsDue(BatchTime time)
    {
        if (_failed)
        {
            return false;
        }

        if (_streams.Count == 0 && _context.CheckpointIntervals.Count == 0)
        {
            return true;
        }

        foreach (var (_, _, interval) in _streams)
        {
            if (time.IsMultipleOf(interval, _zeroTime))
            {
                return true;
            }
        }

        foreach (var interval in _context.CheckpointIntervals.Values)
        {
            if (time.IsMultipleOf(interval, _zeroTime))
            {
                return true;
            }
        }

        return false;
    }

    private void WriteCheckpoint(BatchTime time, bool force)
    {
        if (_failed && !force)
        {
            return;
        }

        var options = Options.SerializerOptions;
        var path = Store.Write(time, destination => CheckpointMetadata.Write(
            destination,
            _context.BatchInterval,
            _zeroTime,
            time,
            _context.ApplicationId,
            _graph,
            _context.RegisteredPipelines,
            _sources,
            writer =>
            {
                foreach (var (key, stream, _) in _streams)
                {
                    writer.WritePropertyName(key);
                    try
                    {
                        stream.WriteState(time, writer, options);
                    }
                    catch (Exception error) when (error is not CheckpointException and not OutOfMemoryException)
                    {
                        throw new CheckpointException(
                            $"The data of the stream {key} cannot be serialized for the checkpoint: {error.Message} Add a converter or a JsonSerializerContext through CheckpointOptions.SerializerOptions, or use state types System.Text.Json can round-trip.",
                            error);
                    }
                }
            },
            writer =>
            {
                IReadOnlyList<BatchTime> pending = [];
                void WriteInputs()
                {
                    foreach (var (key, input) in _replayable)
                    {
                        writer.WritePropertyName(key);
                        input.WritePosition(writer, options);
                    }

                    lock (_pendingGate)
                    {
                        pending = _pending.Where(t => t > time).ToArray();
                    }
                }

                if (_scheduler is { } scheduler)
                {
                    scheduler.RunExclusiveOfGeneration(WriteInputs);
                }
                else
                {
                    WriteInputs();
                }

                return pending;
            }));
        _lastWritten = time;
        var retained = Store.List();
        var oldest = retained.Count > 0 ? retained[^1].Time : time;
        Journal.TrimThrough(oldest - _inputRemember);
        foreach (var (_, input) in _replayable)
        {
            input.TrimThrough(oldest - _inputRemember);
        }

        _logger.LogDebug("Wrote the checkpoint of {Time} to {Path}", time, path);
    }

    private void Restore(CheckpointMetadata checkpoint)
    {
        var options = Options.SerializerOptions;
        foreach (var load in _loads)
        {
            load();
        }

        _loads = [];

        // Batches at or before the checkpoint that windows may still read are sealed again, without running;
        // batches after it (pending, or completed after the checkpoint was written) run again, in order.
        var journal = Journal.ReadAll();
        var times = new SortedDictionary<BatchTime, JournalEntry?>();
        foreach (var entry in journal)
        {
            times[entry.Time] = entry;
        }

        foreach (var pending in checkpoint.Pending)
        {
            times.TryAdd(pending, null);
        }

        var earliest = checkpoint.Time - _inputRemember;
        foreach (var (time, entry) in times)
        {
            if (time <= earliest || time <= checkpoint.ZeroTime)
            {
                continue;
            }

            long records = 0;
            foreach (var (key, input) in _replayable)
            {
                records += input.RestoreBatch(time, entry?.Input(key), options);
            }

            if (time > checkpoint.Time)
            {
                _replay.Add((time, records));
                lock (_pendingGate)
                {
                    _pending.Add(time);
                }
            }
        }

        foreach (var (key, input) in _replayable)
        {
            if (input is IWriteAheadLoggedInput logged && logged.RequeueUnassigned() is > 0 and var requeued)
            {
                _logger.LogInformation("Input {Input}: {Records} record(s) received and logged before the failure but in no batch go into the next batch", key, requeued);
            }
        }

        _logger.LogInformation("Restored {Streams} stream(s) and {Inputs} input(s) from the checkpoint of {Time}; replaying {Count} batch(es)", _streams.Count, _replayable.Count, checkpoint.Time, _replay.Count);
    }

    /// <summary>Describes one stream; the <see cref="StreamGraph"/> order (dependencies first) is the order a recursive walk from the outputs had.</summary>
    private void Walk(DStream stream, Dictionary<DStream, string> keys, StringBuilder graph)
    {
        var key = string.Create(CultureInfo.InvariantCulture, $"{keys.Count}.{stream.Name}");
        keys[stream] = key;
        graph.Append(key).Append('(');
        for (var i = 0; i < stream.Dependencies.Count; i++)
        {
            graph.Append(i == 0 ? string.Empty : ",").Append(keys[stream.Dependencies[i]].Split('.')[0]);
        }

        graph.Append(") ");
        var checkpointed = stream switch
        {
            ICheckpointedStream own => own,
            Stateful.IStatefulStream stateful => new StatefulStreamCheckpoint(stateful),
            _ => null,
        };
        if (checkpointed is not null)
        {
            var interval = _context.CheckpointIntervals.TryGetValue(stream, out var set) ? set : DefaultInterval(stream.SlideDuration);
            _streams.Add((key, checkpointed, interval));
        }
    }

    private string? DescribeIncompatibility(CheckpointMetadata checkpoint)
    {
        if (checkpoint.BatchInterval != _context.BatchInterval)
        {
            return $"it was written with a batch interval of {checkpoint.BatchInterval}, and this context's is {_context.BatchInterval}";
        }

        var registered = _context.RegisteredPipelines;
        var problems = new List<string>();
        foreach (var (name, fingerprint) in registered)
        {
            if (!checkpoint.Pipelines.TryGetValue(name, out var saved))
            {
                problems.Add($"pipeline '{name}' is not in the checkpoint (it was added)");
            }
            else if (!string.Equals(saved, fingerprint, StringComparison.Ordinal))
            {
                problems.Add($"pipeline '{name}' changed (fingerprint {saved} in the checkpoint, {fingerprint} now)");
            }
        }

        foreach (var name in checkpoint.Pipelines.Keys)
        {
            if (!registered.ContainsKey(name))
            {
                problems.Add($"pipeline '{name}' is in the checkpoint but not registered now (it was removed or renamed)");
            }
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    private void DiscardAll()
    {
        Store.DeleteAll();
        Journal.Delete();
        if (System.IO.Directory.Exists(ReceivedDataDirectory))
        {
            System.IO.Directory.Delete(ReceivedDataDirectory, recursive: true);
        }
    }
}
