using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Pipelines.EventTime;

/// <summary>What the event-time operators share to save and read their state in checkpoints.</summary>
internal static class EventTimeCheckpoint
{
    public static JsonTypeInfo<T> TypeInfo<T>(JsonSerializerOptions options)
    {
        options.MakeReadOnly(populateMissingResolver: true);
        return (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
    }

    public static void RequireKind(JsonElement state, string kind, string stream)
    {
        var saved = state.TryGetProperty("kind", out var property) ? property.GetString() : null;
        if (!string.Equals(saved, kind, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"it holds {saved ?? "no"} data for the stream {stream}, which now keeps {kind} (the definition changed)");
        }
    }

    /// <summary>Checks that entry <paramref name="index"/> is an array of <paramref name="count"/> fields.</summary>
    public static void RequireFields(JsonElement entry, int count, string what, int index)
    {
        if (entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() != count)
        {
            throw new InvalidDataException($"entry {index} of {what} is not an array of {count} fields");
        }
    }

    public static TKey ReadKey<TKey>(JsonElement element, JsonTypeInfo<TKey> keyType, string what, int index) =>
        element.Deserialize(keyType) ?? throw new InvalidDataException($"entry {index} of {what} has a null key");
}
