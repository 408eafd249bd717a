using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Pipelines.Stateful;

namespace Pipelines.Checkpointing;

/// <summary>
/// Saves and restores the data of a stateful stream (keyed state, an incremental window) as JSON through its
/// typed export/import contract. Keys, states and values go through System.Text.Json with the types the
/// pipeline declares; no type name is written or read.
/// </summary>
/// <remarks>
/// Keyed state: <c>{"kind":"keyedState","time":ms|null,"entries":[[key,state,lastUpdatedMs],...]}</c>.
/// Incremental window: <c>{"kind":"reducedWindow","time":ms|null,"result":[[key,value],...],"batches":[{"time":ms,"values":[[key,value],...]},...]}</c>.
/// </remarks>
internal sealed class StatefulStreamCheckpoint(IStatefulStream stream) : ICheckpointedStream
{
    private const string KeyedState = "keyedState";
    private const string ReducedWindow = "reducedWindow";
    private const int FlushThreshold = 64 * 1024;

    public IStatefulStream Stream { get; } = stream;

    public void WriteState(BatchTime time, Utf8JsonWriter writer, JsonSerializerOptions options) =>
        Stream.Accept(new Writer(writer, options));

    public Action ReadState(BatchTime time, JsonElement state, JsonSerializerOptions options)
    {
        var reader = new Reader(state, options, Stream.StateKey);
        Stream.Accept(reader);
        return reader.Load;
    }

    private static JsonTypeInfo<T> TypeInfo<T>(JsonSerializerOptions options)
    {
        options.MakeReadOnly(populateMissingResolver: true);
        return (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
    }

    /// <summary>Hands what the writer holds to the file now and then, so a large state is not held in memory twice.</summary>
    private static void FlushIfLarge(Utf8JsonWriter writer)
    {
        if (writer.BytesPending > FlushThreshold)
        {
            writer.Flush();
        }
    }

    private static void WriteTime(Utf8JsonWriter writer, BatchTime? time)
    {
        if (time is { } t)
        {
            writer.WriteNumber("time", t.Milliseconds);
        }
        else
        {
            writer.WriteNull("time");
        }
    }

    private static BatchTime? ReadTime(JsonElement element) =>
        element.GetProperty("time").ValueKind == JsonValueKind.Null ? null : new BatchTime(element.GetProperty("time").GetInt64());

    private static void WritePairs<TKey, TValue>(Utf8JsonWriter writer, IReadOnlyList<KeyValuePair<TKey, TValue>> pairs, JsonTypeInfo<TKey> keyType, JsonTypeInfo<TValue> valueType)
    {
        writer.WriteStartArray();
        foreach (var (key, value) in pairs)
        {
            writer.WriteStartArray();
            JsonSerializer.Serialize(writer, key, keyType);
            JsonSerializer.Serialize(writer, value, valueType);
            writer.WriteEndArray();
            FlushIfLarge(writer);
        }

        writer.WriteEndArray();
    }

    private static List<KeyValuePair<TKey, TValue>> ReadPairs<TKey, TValue>(JsonElement array, JsonTypeInfo<TKey> keyType, JsonTypeInfo<TValue> valueType, string what)
        where TKey : notnull
    {
        var pairs = new List<KeyValuePair<TKey, TValue>>(array.GetArrayLength());
        var keys = new HashSet<TKey>(pairs.Capacity);
        foreach (var pair in array.EnumerateArray())
        {
            RequireFields(pair, 2, what, pairs.Count);
            var key = ReadKey(pair[0], keyType, what, pairs.Count);
            if (!keys.Add(key))
            {
                throw new InvalidDataException($"{what} holds the key {key} twice");
            }

            pairs.Add(new KeyValuePair<TKey, TValue>(key, pair[1].Deserialize(valueType)!));
        }

        return pairs;
    }

    /// <summary>Checks that entry <paramref name="index"/> of <paramref name="what"/> is an array of <paramref name="count"/> fields.</summary>
    private static void RequireFields(JsonElement entry, int count, string what, int index)
    {
        if (entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() != count)
        {
            throw new InvalidDataException(
                $"entry {index} of {what} is {(entry.ValueKind == JsonValueKind.Array ? $"an array of {entry.GetArrayLength()} field(s)" : $"a {entry.ValueKind}")}, and {count} fields are expected");
        }
    }

    private static TKey ReadKey<TKey>(JsonElement element, JsonTypeInfo<TKey> keyType, string what, int index) =>
        element.Deserialize(keyType) ?? throw new InvalidDataException($"entry {index} of {what} has a null key");

    private sealed class Writer(Utf8JsonWriter writer, JsonSerializerOptions options) : IStatefulStreamVisitor
    {
        public void VisitKeyedState<TKey, TState>(IKeyedStateStream<TKey, TState> stream)
            where TKey : notnull
        {
            var snapshot = stream.ExportState();
            var keyType = TypeInfo<TKey>(options);
            var stateType = TypeInfo<TState>(options);
            writer.WriteStartObject();
            writer.WriteString("kind", KeyedState);
            WriteTime(writer, snapshot.Time);
            writer.WriteStartArray("entries");
            foreach (var entry in snapshot.Entries)
            {
                writer.WriteStartArray();
                JsonSerializer.Serialize(writer, entry.Key, keyType);
                JsonSerializer.Serialize(writer, entry.State, stateType);
                writer.WriteNumberValue(entry.LastUpdated.Milliseconds);
                writer.WriteEndArray();
                FlushIfLarge(writer);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        public void VisitReducedWindow<TKey, TValue>(IReducedWindowStream<TKey, TValue> stream)
            where TKey : notnull
        {
            var snapshot = stream.ExportWindow();
            var keyType = TypeInfo<TKey>(options);
            var valueType = TypeInfo<TValue>(options);
            writer.WriteStartObject();
            writer.WriteString("kind", ReducedWindow);
            WriteTime(writer, snapshot.Time);
            writer.WritePropertyName("result");
            WritePairs(writer, snapshot.Result, keyType, valueType);
            writer.WriteStartArray("batches");
            foreach (var batch in snapshot.KeptBatches)
            {
                writer.WriteStartObject();
                writer.WriteNumber("time", batch.Time.Milliseconds);
                writer.WritePropertyName("values");
                WritePairs(writer, batch.Values, keyType, valueType);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }
    }

    /// <summary>Reads and checks the saved data without touching the stream; <see cref="Load"/> then imports it.</summary>
    private sealed class Reader(JsonElement state, JsonSerializerOptions options, string stateKey) : IStatefulStreamVisitor
    {
        public Action Load { get; private set; } = static () => { };

        public void VisitKeyedState<TKey, TState>(IKeyedStateStream<TKey, TState> stream)
            where TKey : notnull
        {
            RequireKind(KeyedState);
            var keyType = TypeInfo<TKey>(options);
            var stateType = TypeInfo<TState>(options);
            var array = state.GetProperty("entries");
            var entries = new List<KeyedStateEntry<TKey, TState>>(array.GetArrayLength());
            var keys = new HashSet<TKey>(entries.Capacity);
            const string What = "the keyed state";
            foreach (var entry in array.EnumerateArray())
            {
                RequireFields(entry, 3, What, entries.Count);
                var key = ReadKey(entry[0], keyType, What, entries.Count);
                if (!keys.Add(key))
                {
                    throw new InvalidDataException($"{What} holds the key {key} twice");
                }

                entries.Add(new KeyedStateEntry<TKey, TState>(key, entry[1].Deserialize(stateType)!, new BatchTime(entry[2].GetInt64())));
            }

            var snapshot = new KeyedStateSnapshot<TKey, TState>(ReadTime(state), entries);
            Load = () => stream.ImportState(snapshot);
        }

        public void VisitReducedWindow<TKey, TValue>(IReducedWindowStream<TKey, TValue> stream)
            where TKey : notnull
        {
            RequireKind(ReducedWindow);
            var keyType = TypeInfo<TKey>(options);
            var valueType = TypeInfo<TValue>(options);
            var batches = new List<ReducedWindowBatch<TKey, TValue>>();
            foreach (var batch in state.GetProperty("batches").EnumerateArray())
            {
                var time = new BatchTime(batch.GetProperty("time").GetInt64());
                batches.Add(new ReducedWindowBatch<TKey, TValue>(time, ReadPairs(batch.GetProperty("values"), keyType, valueType, $"the kept batch at {time}")));
            }

            var snapshot = new ReducedWindowSnapshot<TKey, TValue>(ReadTime(state), ReadPairs(state.GetProperty("result"), keyType, valueType, "the window result"), batches);
            Load = () => stream.ImportWindow(snapshot);
        }

        private void RequireKind(string kind)
        {
            var saved = state.GetProperty("kind").GetString();
            if (!string.Equals(saved, kind, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"it holds {saved ?? "no"} data for the stream {stateKey}, which now keeps {kind} (the definition changed)");
            }
        }
    }
}
