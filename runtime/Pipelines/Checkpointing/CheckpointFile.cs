using System.Buffers.Binary;
using System.IO.Hashing;

namespace Pipelines.Checkpointing;

/// <summary>
/// The on-disk envelope of a checkpoint: <c>"PLCK"</c>, a format version (uint32), the payload length (int64),
/// the payload (UTF-8 JSON) and a CRC-32 of everything after the magic. A file that is truncated, fails its
/// checksum or has a version this build does not read is reported as damaged, never half-loaded.
/// </summary>
internal static class CheckpointFile
{
    /// <summary>The format version this build writes and reads.</summary>
    public const uint CurrentVersion = 1;

    private const int HeaderSize = 16;
    private const int TrailerSize = 4;
    private static ReadOnlySpan<byte> Magic => "PLCK"u8;

    /// <summary>Writes <paramref name="payload"/> to <paramref name="path"/> atomically: a temporary file beside it is written, flushed to disk and renamed over it, then the folder is flushed.</summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> payload, uint version = CurrentVersion)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
            {
                Write(stream, payload, version);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        DirectorySync.Flush(directory);
    }

    /// <summary>Writes the envelope around <paramref name="payload"/> to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, ReadOnlySpan<byte> payload, uint version = CurrentVersion)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], version);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], payload.Length);
        var crc = new Crc32();
        crc.Append(header[4..]);
        crc.Append(payload);
        Span<byte> trailer = stackalloc byte[TrailerSize];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, crc.GetCurrentHashAsUInt32());
        stream.Write(header);
        stream.Write(payload);
        stream.Write(trailer);
    }

    /// <summary>Reads and checks the file; on success returns the payload, otherwise says what is wrong with it.</summary>
    public static bool TryRead(string path, out byte[] payload, out string problem)
    {
        payload = [];
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            problem = $"it cannot be read ({error.Message})";
            return false;
        }

        return TryParse(bytes, out payload, out problem);
    }

    /// <summary>Checks an envelope held in memory.</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out byte[] payload, out string problem)
    {
        payload = [];
        if (bytes.Length < HeaderSize + TrailerSize)
        {
            problem = $"it is truncated ({bytes.Length} bytes, shorter than the {HeaderSize + TrailerSize}-byte envelope)";
            return false;
        }

        if (!bytes[..4].SequenceEqual(Magic))
        {
            problem = "it is not a Pipelines checkpoint (wrong magic bytes)";
            return false;
        }

        var version = BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]);
        if (version != CurrentVersion)
        {
            problem = $"it has format version {version}, which this build does not read (it reads version {CurrentVersion})";
            return false;
        }

        var length = BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]);
        if (length < 0 || length != bytes.Length - HeaderSize - TrailerSize)
        {
            problem = $"it is truncated or padded (the header announces {length} payload bytes, the file holds {bytes.Length - HeaderSize - TrailerSize})";
            return false;
        }

        var body = bytes[HeaderSize..^TrailerSize];
        var crc = new Crc32();
        crc.Append(bytes[4..HeaderSize]);
        crc.Append(body);
        var expected = BinaryPrimitives.ReadUInt32LittleEndian(bytes[^TrailerSize..]);
        if (crc.GetCurrentHashAsUInt32() != expected)
        {
            problem = "its checksum does not match (the file is damaged)";
            return false;
        }

        payload = body.ToArray();
        problem = string.Empty;
        return true;
    }

    internal static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover temporary file is ignored by readers.
        }
    }
}
