using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pipelines.Backpressure;
using Pipelines.Checkpointing;

namespace Pipelines.Sources;

/// <summary>The untyped view of a registered direct input.</summary>
internal interface IDirectInputStream
{
}

/// <summary>A registered direct input that knows its batches' ranges.</summary>
internal interface IDirectInputStream<TRange> : IDirectInputStream
{
    bool TryGetRange(BatchTime time, out TRange range);
}

/// <summary>
/// Adapts a public <see cref="DirectInput{T, TRange, TPosition}"/> to the scheduler and the checkpoint coordinator:
/// sealing a batch decides and remembers its range (journaled by the coordinator before the batch is queued);
/// computing it reads the range; recovery re-seals journaled ranges.
/// </summary>
internal sealed class DirectInputDStream<T, TRange, TPosition> : InputDStream<T>, IInputDStream, ICheckpointedInput, IDirectInputStream<TRange>
    where TRange : notnull
    where TPosition : notnull
{
    private readonly DirectInput<T, TRange, TPosition> _input;
    private readonly SortedDictionary<BatchTime, TRange> _ranges = [];
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private RateLimiter? _rateLimiter;

    public DirectInputDStream(StreamingContext context, DirectInput<T, TRange, TPosition> input, string name)
        : base(context, name)
    {
        _input = input;
        _logger = context.LoggerFactory.CreateLogger("Pipelines.DirectInput");
    }

    /// <inheritdoc/>
    public override string? SourceIdentity => _input.SourceIdentity;

    long IInputDStream.Seal(BatchTime time)
    {
        TRange range;
        try
        {
            range = _input.DecideRange(new DirectBatchRequest(time, Context.BatchInterval, CurrentRateLimit()));
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            _logger.LogError(error, "{Input} ({Source}) could not decide the range of the batch at {BatchTime}; the batch holds none of its records and its position did not move", this, _input.SourceIdentity, time);
            Context.ReportError(error);
            return 0;
        }

        lock (_ranges)
        {
            _ranges[time] = range;
        }

        return _input.CountRecords(range);
    }

    public bool TryGetRange(BatchTime time, out TRange range)
    {
        lock (_ranges)
        {
            return _ranges.TryGetValue(time, out range!);
        }
    }

    protected override Batch<T> TakeBatch(BatchTime time) => Batch<T>.Empty; // Seal is re-implemented above.

    internal override Batch<T>? Compute(BatchTime time)
    {
        if (!TryGetRange(time, out var range))
        {
            return Batch<T>.Empty;
        }

        try
        {
            return _input.Read(time, range, _stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw; // the context is stopping; the batch does not complete
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            // Stop before this batch can complete and be checkpointed past: a restart reads the same range again.
            _logger.LogError(error, "{Input} ({Source}) could not read the range of the batch at {BatchTime}; stopping the context so that a restart from the checkpoint reads it again", this, _input.SourceIdentity, time);
            Context.ReportError(error);
            _ = Context.StopAsync(graceful: false);
            throw;
        }
    }

    public override void Start()
    {
        if (Context.Options.Backpressure.Enabled)
        {
            _rateLimiter = Context.RateController.CreateLimiter();
        }

        _input.Start();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _input.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    internal override void ClearMetadata(BatchTime time)
    {
        base.ClearMetadata(time);
        var limit = time - RememberDuration;
        lock (_ranges)
        {
            while (_ranges.Count > 0)
            {
                var oldest = _ranges.Keys.First();
                if (oldest > limit)
                {
                    break;
                }

                _ranges.Remove(oldest);
            }
        }
    }

    public void WriteBatch(BatchTime time, Utf8JsonWriter writer, JsonSerializerOptions options)
    {
        if (TryGetRange(time, out var range))
        {
            JsonSerializer.Serialize(writer, range, _input.RangeTypeInfo);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    public long RestoreBatch(BatchTime time, JsonElement? descriptor, JsonSerializerOptions options)
    {
        if (descriptor is not { ValueKind: not JsonValueKind.Null } json)
        {
            return 0;
        }

        var range = json.Deserialize(_input.RangeTypeInfo)
            ?? throw new CheckpointException($"The batch journal holds no range for {this} at {time}.");
        _input.OnRangeReplayed(time, range);
        lock (_ranges)
        {
            _ranges[time] = range;
        }

        return _input.CountRecords(range);
    }

    public void WritePosition(Utf8JsonWriter writer, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("source", _input.SourceIdentity);
        writer.WritePropertyName("position");
        JsonSerializer.Serialize(writer, _input.GetPosition(), _input.PositionTypeInfo);
        writer.WriteEndObject();
    }

    public Action ReadPosition(JsonElement position, JsonSerializerOptions options)
    {
        var source = position.GetProperty("source").GetString();
        if (!string.Equals(source, _input.SourceIdentity, StringComparison.Ordinal))
        {
            throw new CheckpointException(
                $"The checkpoint's input {this} read '{source}', and this one reads '{_input.SourceIdentity}'. Recover with the same source, or start fresh (CheckpointOptions.DiscardIncompatible = true, or delete the checkpoint folder).");
        }

        var restored = position.GetProperty("position").Deserialize(_input.PositionTypeInfo)
            ?? throw new InvalidDataException($"the checkpoint holds no position for {this}");
        return () => _input.RestorePosition(restored);
    }

    private double? CurrentRateLimit() =>
        _rateLimiter is { Rate: var rate } && !double.IsPositiveInfinity(rate) ? rate : null;
}
