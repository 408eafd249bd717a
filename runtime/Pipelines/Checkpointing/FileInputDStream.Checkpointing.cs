using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pipelines.Checkpointing;

namespace Pipelines.Sources;

/// <summary>
/// Checkpointing of <c>TextFileStream</c>: its position is the set of files already read; each batch is
/// described by the files it read, so a batch replayed after recovery reads exactly those files again.
/// </summary>
internal sealed partial class FileInputDStream : ICheckpointedInput
{
    private string[]? _startListing;
    private bool _started;

    public void WriteBatch(BatchTime time, Utf8JsonWriter writer, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var file in FilesReadAt(time))
        {
            writer.WriteStringValue(file);
        }

        writer.WriteEndArray();
    }

    public long RestoreBatch(BatchTime time, JsonElement? descriptor, JsonSerializerOptions options)
    {
        if (descriptor is not { ValueKind: JsonValueKind.Array } files)
        {
            return 0;
        }

        var names = new List<string>(files.GetArrayLength());
        var builder = new BatchBuilder<string>(0);
        lock (_gate)
        {
            foreach (var file in files.EnumerateArray())
            {
                var name = file.GetString() ?? string.Empty;
                names.Add(name);
                _read.Add(name);
                if (TryReadLines(name, time, builder, out var error))
                {
                    builder.EndPartition();
                }
                else
                {
                    _logger.LogWarning(error, "TextFileStream: {File}, read into the batch at {BatchTime} before the failure, cannot be read again ({Reason}); the replayed batch lacks it", name, time, error?.Message ?? "it is gone");
                }
            }

            _filesByBatch[time] = [.. names];
            _restored = true;
        }

        return Seal(time, builder.Count == 0 ? Batch<string>.Empty : builder.ToBatch());
    }

    /// <summary>
    /// Writes the files already read, and the files a fresh stream ignores because they were present when it
    /// started: after a recovery those stay ignored, as in the run that never failed. A checkpoint written
    /// before the start (the context's first) lists the folder, and the start then uses that same listing.
    /// </summary>
    public void WritePosition(Utf8JsonWriter writer, JsonSerializerOptions options)
    {
        var state = GetState();
        var done = new SortedSet<string>(state.ReadFiles, StringComparer.Ordinal);
        lock (_gate)
        {
            if (!_started && !_restored)
            {
                _startListing ??= ListFileNames() ?? [];
                done.UnionWith(_startListing);
            }

            done.UnionWith(_presentAtStart);
        }

        writer.WriteStartObject();
        writer.WriteString("directory", state.Directory);
        writer.WriteStartArray("read");
        foreach (var file in done)
        {
            writer.WriteStringValue(file);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public Action ReadPosition(JsonElement position, JsonSerializerOptions options)
    {
        var read = new List<string>();
        foreach (var file in position.GetProperty("read").EnumerateArray())
        {
            read.Add(file.GetString() ?? throw new InvalidDataException("a file name in the list of files read is null"));
        }

        var state = new FileStreamState(position.GetProperty("directory").GetString() ?? Directory, [.. read], []);
        return () => RestoreState(state);
    }

    /// <summary>The files present at the start: the listing an earlier checkpoint recorded, else the folder now. Called under the lock.</summary>
    private string[] TakeStartListing()
    {
        _started = true;
        return _startListing ?? ListFileNames() ?? [];
    }
}
