using System.Text.Json.Serialization;

namespace Pipelines.ScaleOut;

/// <summary>
/// The input of a partition's engine: the core's <see cref="DirectInput{T, TRange, TPosition}"/> extension point,
/// handed exactly the records the scale-out coordinator read for the batch (the range is a ticket for them).
/// </summary>
internal sealed class FedInput<T> : DirectInput<T, long, long>
{
    private readonly object _gate = new();
    private readonly Dictionary<long, T[]> _tickets = [];
    private T[] _next = [];
    private long _sequence;

    public FedInput()
        : base(ScaleOutJson.Default.Int64, ScaleOutJson.Default.Int64)
    {
    }

    public override string SourceIdentity => "scale-out partition";

    /// <summary>The records the next batch gets.</summary>
    public void Feed(T[] records)
    {
        lock (_gate)
        {
            _next = records;
        }
    }

    protected override long DecideRange(DirectBatchRequest request)
    {
        lock (_gate)
        {
            var ticket = ++_sequence;
            _tickets[ticket] = _next;
            _next = [];
            return ticket;
        }
    }

    protected override long CountRecords(long range)
    {
        lock (_gate)
        {
            return _tickets.TryGetValue(range, out var records) ? records.Length : 0;
        }
    }

    protected override Batch<T>? Read(BatchTime time, long range, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _tickets.Remove(range, out var records) ? Batch<T>.From(records) : Batch<T>.Empty;
        }
    }

    protected override void OnRangeReplayed(BatchTime time, long range)
    {
    }

    protected override long GetPosition() => 0;

    protected override void RestorePosition(long position)
    {
    }
}

[JsonSerializable(typeof(long))]
internal sealed partial class ScaleOutJson : JsonSerializerContext;
