using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Pipelines;

/// <summary>
/// Reads the JSON Lines object files that <see cref="DStream{T}.SaveAsObjectFiles(string, JsonTypeInfo{T}, string)"/>
/// writes (Spark's <c>sc.objectFile</c> for <c>saveAsObjectFiles</c> output): one JSON value per line, UTF-8; blank lines
/// are skipped.
/// </summary>
public static class ObjectFiles
{
    internal const string ReflectionWarning =
        "JSON serialization and deserialization of arbitrary types may need types that trimming removes or code generated at run time; use the overload that takes a JsonTypeInfo<T> from a source-generated JsonSerializerContext.";

    private const int FlushBytes = 64 * 1024;

    /// <summary>The records of one object file, in order.</summary>
    /// <exception cref="InvalidDataException">A line is not a JSON value of <typeparamref name="T"/> (the message names the file and line).</exception>
    public static IReadOnlyList<T> ReadFile<T>(string path, JsonTypeInfo<T> typeInfo)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(typeInfo);
        var records = new List<T>();
        var number = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            number++;
            if (!string.IsNullOrWhiteSpace(line))
            {
                records.Add(Parse(line, typeInfo, $"{path}, line {number}"));
            }
        }

        return records;
    }

    /// <summary>The reflection-based form of <see cref="ReadFile{T}(string, JsonTypeInfo{T})"/> (<c>null</c> options: <see cref="JsonSerializerOptions.Default"/>).</summary>
    /// <exception cref="InvalidDataException">A line is not a JSON value of <typeparamref name="T"/>.</exception>
    [RequiresUnreferencedCode(ReflectionWarning)]
    [RequiresDynamicCode(ReflectionWarning)]
    public static IReadOnlyList<T> ReadFile<T>(string path, JsonSerializerOptions? options = null) => ReadFile(path, TypeInfo<T>(options));

    /// <summary>
    /// Every batch saved with <paramref name="prefix"/> and <paramref name="suffix"/> (the files
    /// <c>prefix-&lt;time in ms&gt;.suffix</c>), in batch-time order, with its records.
    /// </summary>
    /// <exception cref="InvalidDataException">A line is not a JSON value of <typeparamref name="T"/>.</exception>
    /// <exception cref="DirectoryNotFoundException">The prefix's folder does not exist.</exception>
    public static IReadOnlyList<(BatchTime Time, IReadOnlyList<T> Records)> ReadAll<T>(string prefix, JsonTypeInfo<T> typeInfo, string? suffix = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ArgumentNullException.ThrowIfNull(typeInfo);
        var full = Path.GetFullPath(prefix);
        var directory = Path.GetDirectoryName(full)!;
        var start = Path.GetFileName(full) + "-";
        var end = string.IsNullOrEmpty(suffix) ? string.Empty : "." + suffix;
        var found = new List<(BatchTime, string)>();
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            var name = Path.GetFileName(file);
            if (name.Length > start.Length + end.Length
                && name.StartsWith(start, StringComparison.Ordinal)
                && name.EndsWith(end, StringComparison.Ordinal)
                && long.TryParse(name.AsSpan(start.Length, name.Length - start.Length - end.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
            {
                found.Add((new BatchTime(ms), file));
            }
        }

        found.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        var result = new List<(BatchTime, IReadOnlyList<T>)>(found.Count);
        foreach (var (time, file) in found)
        {
            result.Add((time, ReadFile(file, typeInfo)));
        }

        return result;
    }

    /// <summary>The reflection-based form of <see cref="ReadAll{T}(string, JsonTypeInfo{T}, string)"/>.</summary>
    /// <exception cref="InvalidDataException">A line is not a JSON value of <typeparamref name="T"/>.</exception>
    [RequiresUnreferencedCode(ReflectionWarning)]
    [RequiresDynamicCode(ReflectionWarning)]
    public static IReadOnlyList<(BatchTime Time, IReadOnlyList<T> Records)> ReadAll<T>(string prefix, string? suffix = null, JsonSerializerOptions? options = null) =>
        ReadAll(prefix, TypeInfo<T>(options), suffix);

    [RequiresUnreferencedCode(ReflectionWarning)]
    [RequiresDynamicCode(ReflectionWarning)]
    internal static JsonTypeInfo<T> TypeInfo<T>(JsonSerializerOptions? options)
    {
        options ??= JsonSerializerOptions.Default;
        if (options.TypeInfoResolver is null)
        {
            options = new JsonSerializerOptions(options) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        }

        options.MakeReadOnly();
        return (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
    }

    /// <summary>Writes the batch as JSON Lines and replaces <paramref name="path"/> atomically.</summary>
    internal static ValueTask WriteAsync<T>(string path, Batch<T> batch, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return AtomicFile.ReplaceAsync(path, async (stream, token) =>
        {
            var buffer = new ArrayBufferWriter<byte>(FlushBytes);
            await using var json = new Utf8JsonWriter(buffer);
            for (var i = 0; i < batch.Count; i++)
            {
                JsonSerializer.Serialize(json, batch[i], typeInfo);
                json.Flush();
                json.Reset();
                buffer.GetSpan(1)[0] = (byte)'\n';
                buffer.Advance(1);
                if (buffer.WrittenCount >= FlushBytes)
                {
                    await stream.WriteAsync(buffer.WrittenMemory, token).ConfigureAwait(false);
                    buffer.ResetWrittenCount();
                }
            }

            await stream.WriteAsync(buffer.WrittenMemory, token).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <summary>Parses each non-blank line of <paramref name="lines"/>, partition by partition.</summary>
    internal static Batch<T> ParseLines<T>(Batch<string> lines, JsonTypeInfo<T> typeInfo, string source)
    {
        var builder = new BatchBuilder<T>(lines.Count);
        for (var p = 0; p < lines.PartitionCount; p++)
        {
            foreach (var line in lines.GetPartition(p))
            {
                if (!string.IsNullOrWhiteSpace(line))
                {
                    builder.Add(Parse(line, typeInfo, source));
                }
            }

            builder.EndPartition();
        }

        return builder.ToBatch();
    }

    private static T Parse<T>(string line, JsonTypeInfo<T> typeInfo, string where)
    {
        try
        {
            return JsonSerializer.Deserialize(line, typeInfo)!;
        }
        catch (JsonException error)
        {
            var shown = line.Length <= 200 ? line : string.Concat(line.AsSpan(0, 200), "...");
            throw new InvalidDataException(
                $"An object file line is not a JSON value of {typeof(T).Name} ({where}): {error.Message} The line: {shown}. Object files hold one JSON value per line, as SaveAsObjectFiles writes them.", error);
        }
    }
}
