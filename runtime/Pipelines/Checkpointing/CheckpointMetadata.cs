using System.Text.Json;

namespace Pipelines.Checkpointing;

/// <summary>
/// A checkpoint as read back: the metadata (batch interval, zero time, time of the last completed batch,
/// graph shape, pipeline fingerprints, pending batch times) and the saved data of streams and inputs, keyed by
/// their place in the graph. Holds the parsed JSON document while recovery reads from it.
/// </summary>
internal sealed class CheckpointMetadata
{
    private readonly JsonDocument _document;

    private CheckpointMetadata(JsonDocument document)
    {
        _document = document;
        var root = document.RootElement;
        BatchInterval = TimeSpan.FromMilliseconds(root.GetProperty("batchIntervalMs").GetInt64());
        ZeroTime = new BatchTime(root.GetProperty("zeroTimeMs").GetInt64());
        Time = new BatchTime(root.GetProperty("timeMs").GetInt64());
        Graph = root.GetProperty("graph").GetString() ?? string.Empty;
        ApplicationId = root.TryGetProperty("applicationId", out var applicationId) ? applicationId.GetString() : null; // absent before it was recorded
        var pipelines = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var pipeline in root.GetProperty("pipelines").EnumerateObject())
        {
            pipelines[pipeline.Name] = pipeline.Value.GetString() ?? string.Empty;
        }

        Pipelines = pipelines;
        var sources = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("sources", out var sourcesElement)) // absent before sources were recorded
        {
            foreach (var source in sourcesElement.EnumerateObject())
            {
                sources[source.Name] = source.Value.GetString() ?? throw new InvalidDataException($"the identity of the source {source.Name} is null");
            }
        }

        Sources = sources;
        var interval = BatchTime.ToMilliseconds(BatchInterval);
        if (interval <= 0)
        {
            throw new InvalidDataException($"its batch interval ({interval} ms) is not positive");
        }

        if (Time < ZeroTime || (Time.Milliseconds - ZeroTime.Milliseconds) % interval != 0)
        {
            throw new InvalidDataException($"its batch time {Time} is not a batch time after its zero time {ZeroTime} with an interval of {interval} ms");
        }

        var pendingArray = root.GetProperty("pending");
        if (pendingArray.GetArrayLength() > MaxPendingBatches)
        {
            throw new InvalidDataException($"it lists {pendingArray.GetArrayLength()} pending batches, more than the {MaxPendingBatches} a checkpoint can hold");
        }

        var pending = new List<BatchTime>(pendingArray.GetArrayLength());
        foreach (var element in pendingArray.EnumerateArray())
        {
            var time = new BatchTime(element.GetInt64());
            if (time <= Time || (time.Milliseconds - ZeroTime.Milliseconds) % interval != 0 || (pending.Count > 0 && time <= pending[^1]))
            {
                throw new InvalidDataException($"its pending batch time {time} is impossible: pending batches come after its batch time {Time}, in order, on its {interval} ms grid");
            }

            pending.Add(time);
        }

        Pending = pending;
    }

    /// <summary>
    /// The most pending batches a checkpoint may list: far more than a job that keeps up leaves behind, few enough
    /// that a damaged or forged list cannot make recovery queue millions of batches.
    /// </summary>
    public const int MaxPendingBatches = 100_000;

    /// <summary>What each input read from when it was written (folder, host:port), keyed like the inputs' data; empty in checkpoints written before it was recorded.</summary>
    public IReadOnlyDictionary<string, string> Sources { get; }

    public TimeSpan BatchInterval { get; }

    public BatchTime ZeroTime { get; }

    /// <summary>The last completed batch when the checkpoint was written (the zero time for the first one).</summary>
    public BatchTime Time { get; }

    /// <summary>The id of the application that wrote it (<c>null</c> in checkpoints written before it was recorded).</summary>
    public string? ApplicationId { get; }

    /// <summary>The shape of the stream graph that wrote it (operator names and their inputs).</summary>
    public string Graph { get; }

    public IReadOnlyDictionary<string, string> Pipelines { get; }

    /// <summary>Batches generated but not completed when it was written.</summary>
    public IReadOnlyList<BatchTime> Pending { get; }

    public JsonElement? Stream(string key) => Section("streams", key);

    public JsonElement? Input(string key) => Section("inputs", key);

    public static CheckpointMetadata Parse(byte[] payload) => new(JsonDocument.Parse(payload));

    /// <summary>Writes a checkpoint payload to <paramref name="destination"/>; <paramref name="writeStreams"/> and <paramref name="writeInputsAndGetPending"/> write the data sections.</summary>
    public static void Write(
        Stream destination,
        TimeSpan batchInterval,
        BatchTime zeroTime,
        BatchTime time,
        string applicationId,
        string graph,
        IEnumerable<KeyValuePair<string, string>> pipelines,
        IEnumerable<KeyValuePair<string, string>> sources,
        Action<Utf8JsonWriter> writeStreams,
        Func<Utf8JsonWriter, IReadOnlyList<BatchTime>> writeInputsAndGetPending)
    {
        using (var writer = new Utf8JsonWriter(destination))
        {
            writer.WriteStartObject();
            writer.WriteNumber("batchIntervalMs", BatchTime.ToMilliseconds(batchInterval));
            writer.WriteNumber("zeroTimeMs", zeroTime.Milliseconds);
            writer.WriteNumber("timeMs", time.Milliseconds);
            writer.WriteString("applicationId", applicationId);
            writer.WriteString("graph", graph);
            writer.WriteStartObject("pipelines");
            foreach (var (name, fingerprint) in pipelines)
            {
                writer.WriteString(name, fingerprint);
            }

            writer.WriteEndObject();
            writer.WriteStartObject("sources");
            foreach (var (key, identity) in sources)
            {
                writer.WriteString(key, identity);
            }

            writer.WriteEndObject();
            writer.WriteStartObject("streams");
            writeStreams(writer);
            writer.WriteEndObject();
            writer.WriteStartObject("inputs");
            var pending = writeInputsAndGetPending(writer);
            writer.WriteEndObject();
            writer.WriteStartArray("pending");
            foreach (var batch in pending)
            {
                writer.WriteNumberValue(batch.Milliseconds);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }
    }

    private JsonElement? Section(string section, string key) =>
        _document.RootElement.TryGetProperty(section, out var entries) && entries.TryGetProperty(key, out var value) ? value : null;
}
