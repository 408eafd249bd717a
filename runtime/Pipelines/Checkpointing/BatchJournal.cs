using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Pipelines.Checkpointing;

/// <summary>
/// An append-only log of the batches the scheduler generated, each with what its replayable inputs put in it.
/// A batch is journaled (and flushed to disk) before it is queued, so after a crash every batch that may have
/// run is known, with its exact input. Records: length (int32), CRC-32 (uint32), UTF-8 JSON
/// <c>{"time": ms, "inputs": {key: descriptor}}</c>. A torn last record (a crash mid-append) is ignored: its
/// batch was never queued.
/// </summary>
internal sealed class BatchJournal : IDisposable
{
    public const string FileName = "batches.journal";
    private const int RecordHeaderSize = 8;
    private readonly object _gate = new();
    private readonly ILogger _logger;
    private FileStream? _stream;

    public BatchJournal(string directory, ILogger logger)
    {
        Path = System.IO.Path.Combine(directory, FileName);
        _logger = logger;
    }

    public string Path { get; }

    /// <summary>The batch times and their input descriptors, in order. Stops at the first damaged record.</summary>
    public IReadOnlyList<JournalEntry> ReadAll()
    {
        if (!File.Exists(Path))
        {
            return [];
        }

        var bytes = File.ReadAllBytes(Path);
        var entries = new List<JournalEntry>();
        var offset = 0;
        while (offset < bytes.Length)
        {
            if (bytes.Length - offset < RecordHeaderSize)
            {
                _logger.LogWarning("The batch journal {Path} ends with a torn record at byte {Offset}; it is ignored (that batch never ran)", Path, offset);
                break;
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset));
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 4));
            if (length < 0 || length > bytes.Length - offset - RecordHeaderSize)
            {
                _logger.LogWarning("The batch journal {Path} ends with a torn record at byte {Offset}; it is ignored (that batch never ran)", Path, offset);
                break;
            }

            var payload = bytes.AsMemory(offset + RecordHeaderSize, length);
            if (Crc32.HashToUInt32(payload.Span) != crc)
            {
                _logger.LogWarning("The batch journal {Path} has a damaged record at byte {Offset}; it and what follows are ignored", Path, offset);
                break;
            }

            entries.Add(JournalEntry.Parse(payload));
            offset += RecordHeaderSize + length;
        }

        return entries;
    }

    /// <summary>Appends one record and flushes it to disk.</summary>
    /// <exception cref="CheckpointException">The journal cannot be written.</exception>
    public void Append(ReadOnlySpan<byte> payload)
    {
        lock (_gate)
        {
            try
            {
                _stream ??= new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read, 1, FileOptions.None);
                WriteRecord(_stream, payload);
                _stream.Flush(flushToDisk: true);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                CloseStream();
                throw new CheckpointException(
                    $"Could not append to the batch journal '{Path}': {error.Message} Free disk space or fix the folder's permissions; the checkpoints already written are untouched.",
                    error);
            }
        }
    }

    /// <summary>Rewrites the journal without the batches at or before <paramref name="time"/> (atomically).</summary>
    public void TrimThrough(BatchTime time)
    {
        lock (_gate)
        {
            var entries = ReadAll();
            if (entries.Count == 0 || entries[0].Time > time)
            {
                return;
            }

            CloseStream();
            try
            {
                AtomicFile.Replace(Path, stream =>
                {
                    foreach (var entry in entries)
                    {
                        if (entry.Time > time)
                        {
                            WriteRecord(stream, entry.Payload.Span);
                        }
                    }
                });
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                _logger.LogWarning(error, "Could not trim the batch journal {Path}; it keeps older batches and is trimmed at the next checkpoint", Path);
            }
        }
    }

    /// <summary>Writes one record: payload length, CRC-32 of the payload, payload.</summary>
    private static void WriteRecord(Stream stream, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[RecordHeaderSize];
        BinaryPrimitives.WriteInt32LittleEndian(header, payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Crc32.HashToUInt32(payload));
        stream.Write(header);
        stream.Write(payload);
    }

    /// <summary>Deletes the journal.</summary>
    public void Delete()
    {
        lock (_gate)
        {
            CloseStream();
            File.Delete(Path);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            CloseStream();
        }
    }

    private void CloseStream()
    {
        try
        {
            _stream?.Dispose();
        }
        catch (IOException)
        {
            // The handle is closed either way.
        }

        _stream = null;
    }
}

/// <summary>One journaled batch: its time and each replayable input's description of its records.</summary>
internal sealed class JournalEntry
{
    private JournalEntry(BatchTime time, ReadOnlyMemory<byte> payload, JsonDocument document)
    {
        Time = time;
        Payload = payload;
        Document = document;
    }

    public BatchTime Time { get; }

    public ReadOnlyMemory<byte> Payload { get; }

    private JsonDocument Document { get; }

    public JsonElement? Input(string key) =>
        Document.RootElement.TryGetProperty("inputs", out var inputs) && inputs.TryGetProperty(key, out var descriptor) ? descriptor : null;

    public static JournalEntry Parse(ReadOnlyMemory<byte> payload)
    {
        var document = JsonDocument.Parse(payload);
        return new JournalEntry(new BatchTime(document.RootElement.GetProperty("time").GetInt64()), payload, document);
    }

    /// <summary>Builds the payload of a record.</summary>
    public static byte[] Create(BatchTime time, IReadOnlyList<(string Key, ICheckpointedInput Input)> inputs, JsonSerializerOptions options)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("time", time.Milliseconds);
            writer.WriteStartObject("inputs");
            foreach (var (key, input) in inputs)
            {
                writer.WritePropertyName(key);
                input.WriteBatch(time, writer, options);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
