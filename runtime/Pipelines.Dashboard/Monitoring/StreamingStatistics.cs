namespace Pipelines.Dashboard.Monitoring;

/// <summary>
/// Listens to a context's batches, output operations and receivers and keeps what the page shows: the batches
/// in flight and the last <c>retainedBatches</c> completed ones (older ones are dropped, so memory stays
/// bounded however long the job runs), running totals, and each receiver's state. Each event takes a short
/// lock on this object only; nothing here slows or steers the batch path.
/// </summary>
internal sealed class StreamingStatistics : IStreamingListener
{
    private readonly object _gate = new();
    private readonly TimeProvider _clock;
    private readonly SortedDictionary<long, BatchRecord> _active = [];
    private readonly Queue<BatchRecord> _completed = new();
    private readonly SortedDictionary<int, ReceiverRecord> _receivers = [];
    private int _retainedBatches;
    private long _totalCompleted;
    private long _totalFailed;
    private long _totalRecords;
    private long? _zeroTime;

    public StreamingStatistics(TimeProvider clock, TimeSpan batchInterval, int retainedBatches)
    {
        _clock = clock;
        BatchInterval = batchInterval;
        _retainedBatches = retainedBatches;
    }

    /// <summary>Raised after every event that changes what the page shows.</summary>
    public event Action? Changed;

    public TimeSpan BatchInterval { get; }

    /// <summary>Sets how many completed batches are kept, dropping the oldest beyond it.</summary>
    public void Retain(int retainedBatches)
    {
        lock (_gate)
        {
            _retainedBatches = retainedBatches;
            while (_completed.Count > _retainedBatches)
            {
                _completed.Dequeue();
            }
        }
    }

    public void OnStreamingStarted(BatchTime zeroTime)
    {
        lock (_gate)
        {
            _zeroTime = zeroTime.Milliseconds;
        }

        Changed?.Invoke();
    }

    public void OnBatchSubmitted(BatchInfo batch)
    {
        lock (_gate)
        {
            _active[batch.BatchTime.Milliseconds] = new BatchRecord(batch);
        }

        Changed?.Invoke();
    }

    public void OnBatchStarted(BatchInfo batch)
    {
        lock (_gate)
        {
            if (_active.TryGetValue(batch.BatchTime.Milliseconds, out var record))
            {
                record.Info = batch;
            }
            else
            {
                _active[batch.BatchTime.Milliseconds] = new BatchRecord(batch);
            }
        }

        Changed?.Invoke();
    }

    public void OnOutputOperationStarted(OutputOperationInfo output)
    {
        lock (_gate)
        {
            if (_active.TryGetValue(output.BatchTime.Milliseconds, out var record))
            {
                record.Outputs.Add(new OutputRecord(output, _clock.GetUtcNow()));
            }
        }
    }

    public void OnOutputOperationCompleted(OutputOperationInfo output)
    {
        lock (_gate)
        {
            if (_active.TryGetValue(output.BatchTime.Milliseconds, out var record))
            {
                var entry = record.Outputs.FindLast(o => o.Info.Id == output.Id);
                if (entry is null)
                {
                    entry = new OutputRecord(output, null);
                    record.Outputs.Add(entry);
                }

                entry.Info = output;
                entry.Completed = _clock.GetUtcNow();
            }
        }
    }

    public void OnBatchCompleted(BatchInfo batch)
    {
        lock (_gate)
        {
            var time = batch.BatchTime.Milliseconds;
            if (!_active.Remove(time, out var record))
            {
                record = new BatchRecord(batch);
            }

            record.Info = batch;
            _completed.Enqueue(record);
            while (_completed.Count > _retainedBatches)
            {
                _completed.Dequeue();
            }

            _totalRecords += batch.NumRecords;
            if (batch.Failure is null)
            {
                _totalCompleted++;
            }
            else
            {
                _totalFailed++;
            }
        }

        Changed?.Invoke();
    }

    public void OnReceiverStarted(ReceiverInfo receiver) => UpdateReceiver(receiver, "running", error: false);

    public void OnReceiverError(ReceiverInfo receiver) => UpdateReceiver(receiver, "error", error: true);

    public void OnReceiverStopped(ReceiverInfo receiver) => UpdateReceiver(receiver, "stopped", error: false);

    /// <summary>Copies what the page needs; the copy is the caller's.</summary>
    public StatisticsSnapshot Snapshot()
    {
        lock (_gate)
        {
            var completed = new BatchView[_completed.Count];
            var i = 0;
            foreach (var record in _completed)
            {
                completed[i++] = record.ToView("completed");
            }

            var active = new List<BatchView>(_active.Count);
            foreach (var record in _active.Values)
            {
                active.Add(record.ToView(record.Info.ProcessingStartTime is null ? "queued" : "processing"));
            }

            var receivers = new List<ReceiverView>(_receivers.Count);
            foreach (var receiver in _receivers.Values)
            {
                receivers.Add(receiver.ToView());
            }

            return new StatisticsSnapshot(
                _zeroTime,
                (long)BatchInterval.TotalMilliseconds,
                _retainedBatches,
                new Totals(_totalCompleted, _totalFailed, _totalRecords),
                active,
                completed,
                receivers);
        }
    }

    private void UpdateReceiver(ReceiverInfo receiver, string state, bool error)
    {
        lock (_gate)
        {
            if (!_receivers.TryGetValue(receiver.StreamId, out var record))
            {
                record = new ReceiverRecord(receiver.StreamId, receiver.Name);
                _receivers[receiver.StreamId] = record;
            }

            record.State = state;
            record.Name = receiver.Name;
            if (receiver.Message is not null)
            {
                record.LastMessage = receiver.Message;
            }

            if (error)
            {
                record.Errors++;
                record.LastError = receiver.Error is { } e ? $"{e.GetType().Name}: {e.Message}" : receiver.Message;
                record.LastErrorTime = _clock.GetUtcNow();
            }
        }

        Changed?.Invoke();
    }

    private sealed class BatchRecord(BatchInfo info)
    {
        public BatchInfo Info { get; set; } = info;

        public List<OutputRecord> Outputs { get; } = [];

        public BatchView ToView(string state)
        {
            var outputs = new OutputView[Outputs.Count];
            for (var i = 0; i < outputs.Length; i++)
            {
                outputs[i] = Outputs[i].ToView();
            }

            return new BatchView(
                Info.BatchTime.Milliseconds,
                Info.NumRecords,
                state == "completed" ? (Info.Failure is null ? "succeeded" : "failed") : state,
                Info.SubmissionTime.ToUnixTimeMilliseconds(),
                Milliseconds(Info.SchedulingDelay),
                Milliseconds(Info.ProcessingDelay),
                Milliseconds(Info.TotalDelay),
                outputs,
                Info.Failure is { } failure ? FailureView.From(failure) : null);
        }
    }

    private sealed class OutputRecord(OutputOperationInfo info, DateTimeOffset? started)
    {
        public OutputOperationInfo Info { get; set; } = info;

        public DateTimeOffset? Started { get; } = started;

        public DateTimeOffset? Completed { get; set; }

        public OutputView ToView() => new(
            Info.Id,
            Info.Name,
            Completed is null ? "running" : Info.Failure is null ? "succeeded" : "failed",
            Completed - Started is { } duration ? duration.TotalMilliseconds : null,
            Info.Failure is { } failure ? FailureView.From(failure) : null);
    }

    private sealed class ReceiverRecord(int streamId, string name)
    {
        public int StreamId { get; } = streamId;

        public string Name { get; set; } = name;

        public string State { get; set; } = "running";

        public long Errors { get; set; }

        public string? LastMessage { get; set; }

        public string? LastError { get; set; }

        public DateTimeOffset? LastErrorTime { get; set; }

        public ReceiverView ToView() => new(StreamId, Name, State, Errors, LastMessage, LastError, LastErrorTime?.ToUnixTimeMilliseconds());
    }

    private static double? Milliseconds(TimeSpan? duration) => duration?.TotalMilliseconds;
}
