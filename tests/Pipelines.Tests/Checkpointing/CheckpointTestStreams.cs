using System.Text.Json;
using Pipelines.Checkpointing;
using Pipelines.Sources;

namespace Pipelines.Tests.Checkpointing;

/// <summary>
/// A replayable input over a shared, append-only list of lines (like a Kafka partition): each batch takes the
/// lines appended since the previous one; its position and each batch's offsets go into checkpoints.
/// </summary>
internal sealed class ReplayableLogInput : InputDStream<string>, ICheckpointedInput
{
    private readonly List<string> _log;
    private readonly Dictionary<BatchTime, Batch<string>> _restored = [];
    private int _position;

    public ReplayableLogInput(StreamingContext context, List<string> log)
        : base(context, "ReplayableLog")
    {
        _log = log;
    }

    public Dictionary<BatchTime, (int From, int To)> Offsets { get; } = [];

    public void WriteBatch(BatchTime time, Utf8JsonWriter writer, JsonSerializerOptions options)
    {
        var (from, to) = Offsets[time];
        writer.WriteStartArray();
        writer.WriteNumberValue(from);
        writer.WriteNumberValue(to);
        writer.WriteEndArray();
    }

    public long RestoreBatch(BatchTime time, JsonElement? descriptor, JsonSerializerOptions options)
    {
        if (descriptor is not { } offsets)
        {
            return 0;
        }

        var from = offsets[0].GetInt32();
        var to = offsets[1].GetInt32();
        Offsets[time] = (from, to);
        _position = Math.Max(_position, to);
        lock (_log)
        {
            _restored[time] = Batch<string>.From(_log.GetRange(from, to - from));
        }

        Seal(time);
        return to - from;
    }

    public void WritePosition(Utf8JsonWriter writer, JsonSerializerOptions options) => writer.WriteNumberValue(_position);

    public Action ReadPosition(JsonElement position, JsonSerializerOptions options)
    {
        var value = position.GetInt32();
        return () => _position = value;
    }

    protected override Batch<string> TakeBatch(BatchTime time)
    {
        if (_restored.Remove(time, out var restored))
        {
            return restored;
        }

        lock (_log)
        {
            var from = _position;
            _position = _log.Count;
            Offsets[time] = (from, _position);
            return Batch<string>.From(_log.GetRange(from, _position - from));
        }
    }
}

/// <summary>A stateful running count per word (what UpdateStateByKey does), saved in checkpoints as JSON.</summary>
internal sealed class RunningCountStream : DStream<(string Word, long Count)>, ICheckpointedStream
{
    private readonly DStream<string> _parent;
    private readonly SortedDictionary<BatchTime, Dictionary<string, long>> _states = [];

    public RunningCountStream(DStream<string> parent)
        : base(parent.Context, "RunningCount")
    {
        _parent = parent;
    }

    public override TimeSpan SlideDuration => _parent.SlideDuration;

    public int Restores { get; private set; }

    internal override IReadOnlyList<DStream> Dependencies => [_parent];

    public void WriteState(BatchTime time, Utf8JsonWriter writer, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, StateAt(time), options);

    public Action ReadState(BatchTime time, JsonElement state, JsonSerializerOptions options)
    {
        var restored = state.Deserialize<Dictionary<string, long>>(options)!;
        return () =>
        {
            Restores++;
            _states[time] = restored;
        };
    }

    internal override Batch<(string Word, long Count)>? Compute(BatchTime time)
    {
        var counts = new Dictionary<string, long>(StateAt(time - SlideDuration));
        if (_parent.GetOrCompute(time) is { } words)
        {
            foreach (var word in words)
            {
                counts[word] = counts.GetValueOrDefault(word) + 1;
            }
        }

        _states[time] = counts;
        while (_states.Count > 2)
        {
            _states.Remove(_states.First().Key);
        }

        return Batch<(string, long)>.From(counts.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)));
    }

    private Dictionary<string, long> StateAt(BatchTime time) =>
        _states.TryGetValue(time, out var state) ? state : [];
}
