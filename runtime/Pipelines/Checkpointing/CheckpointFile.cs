using System.Buffers.Binary;
using System.IO.Hashing;

namespace Pipelines.Checkpointing;

/// <summary>
/// The on-disk envelope of a checkpoint: <c>"PLCK"</c>, a format version (uint32), the payload length (int64),
/// the payload (UTF-8 JSON) and a CRC-32 of the payload followed by the version and length fields (so the
/// payload can be streamed to the file and the length filled in afterwards). A file that is truncated, fails its
/// checksum or has a version this build does not read is reported as damaged, never half-loaded.
/// </summary>
internal static class CheckpointFile
{
    /// <summary>The format version this build writes and reads.</summary>
    public const uint CurrentVersion = 1;

    private const int HeaderSize = 16;
    private const int TrailerSize = 4;
    private static ReadOnlySpan<byte> Magic => "PLCK"u8;

    /// <summary>Writes <paramref name="payload"/> to <paramref name="path"/> atomically (see <see cref="WriteAtomically(string, Action{Stream}, uint)"/>).</summary>
    public static long WriteAtomically(string path, ReadOnlyMemory<byte> payload, uint version = CurrentVersion) =>
        WriteAtomically(path, stream => stream.Write(payload.Span), version);

    /// <summary>
    /// Writes a checkpoint whose payload <paramref name="writePayload"/> streams into the file, atomically: a
    /// temporary file beside <paramref name="path"/> is written, flushed to disk and renamed over it, then the
    /// folder is flushed. Returns the payload's length.
    /// </summary>
    public static long WriteAtomically(string path, Action<Stream> writePayload, uint version = CurrentVersion) =>
        AtomicFile.Replace(path, stream => Write(stream, writePayload, version));

    /// <summary>Writes the envelope around <paramref name="payload"/> to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, ReadOnlySpan<byte> payload, uint version = CurrentVersion)
    {
        var copy = payload.ToArray();
        using var buffer = new MemoryStream();
        Write(buffer, body => body.Write(copy), version);
        buffer.Position = 0;
        buffer.CopyTo(stream);
    }

    /// <summary>Writes the envelope with a streamed payload to a seekable <paramref name="stream"/>; returns the payload's length.</summary>
    private static long Write(Stream stream, Action<Stream> writePayload, uint version)
    {
        var start = stream.Position;
        Span<byte> header = stackalloc byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], version);
        stream.Write(header);
        var crc = new Crc32();
        long length;
        using (var payload = new ChecksummedStream(stream, crc))
        {
            writePayload(payload);
            length = payload.Length;
        }

        BinaryPrimitives.WriteInt64LittleEndian(header[8..], length);
        crc.Append(header[4..]);
        Span<byte> trailer = stackalloc byte[TrailerSize];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, crc.GetCurrentHashAsUInt32());
        stream.Write(trailer);
        var end = stream.Position;
        stream.Position = start;
        stream.Write(header);
        stream.Position = end;
        return length;
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
        crc.Append(body);
        crc.Append(bytes[4..HeaderSize]);
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
}

/// <summary>A write-only view of a stream that checksums and counts what goes through it.</summary>
internal sealed class ChecksummedStream(Stream inner, Crc32 crc) : Stream
{
    private long _length;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _length;

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException("A checkpoint payload is written front to back.");
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        crc.Append(buffer);
        inner.Write(buffer);
        _length += buffer.Length;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value) => Write([value]);

    /// <summary>Nothing to do: the JSON writer flushes into this stream often; the file is flushed to disk once, at the end.</summary>
    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("A checkpoint payload stream is write-only.");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A checkpoint payload is written front to back.");

    public override void SetLength(long value) => throw new NotSupportedException("A checkpoint payload is written front to back.");
}
