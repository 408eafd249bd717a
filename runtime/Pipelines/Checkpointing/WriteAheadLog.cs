using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using Microsoft.Extensions.Logging;

namespace Pipelines.Checkpointing;

/// <summary>
/// An append-only, segmented log of received blocks (Spark's write-ahead log for receivers that cannot replay).
/// Each block gets a sequence number and is flushed to disk before <see cref="Append"/> returns, so a receiver
/// can acknowledge it. Segments (<c>segment-&lt;first sequence&gt;.wal</c>) roll at a size limit and are
/// deleted once every block in them belongs to batches that no retained checkpoint needs, which bounds the
/// disk use. Record: length (int32), CRC-32 of the rest (uint32), sequence (int64), payload.
/// </summary>
internal sealed class WriteAheadLog : IDisposable
{
    private const string Prefix = "segment-";
    private const string Extension = ".wal";
    private const int RecordHeaderSize = 16;
    private readonly object _gate = new();
    private readonly ILogger _logger;
    private readonly long _maxSegmentBytes;
    private FileStream? _current;
    private long _currentFirst;

    public WriteAheadLog(string directory, long maxSegmentBytes, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSegmentBytes, 1);
        Directory = Path.GetFullPath(directory);
        _maxSegmentBytes = maxSegmentBytes;
        _logger = logger;
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"The write-ahead log folder '{Directory}' cannot be created: {error.Message}", error);
        }

        NextSequence = RecoverTail();
    }

    public string Directory { get; }

    /// <summary>The sequence number the next appended block gets.</summary>
    public long NextSequence { get; private set; }

    /// <summary>The bytes the log's segments take on disk.</summary>
    public long DiskBytes => Segments().Sum(s => new FileInfo(s.Path).Length);

    /// <summary>The number of segment files.</summary>
    public int SegmentCount => Segments().Count;

    /// <summary>Appends a block and flushes it to disk; returns its sequence number.</summary>
    /// <exception cref="CheckpointException">The log cannot be written (e.g. the disk is full).</exception>
    public long Append(ReadOnlySpan<byte> payload)
    {
        lock (_gate)
        {
            var sequence = NextSequence;
            try
            {
                var current = _current is null || _current.Length >= _maxSegmentBytes ? StartSegment(sequence) : _current;
                Span<byte> header = stackalloc byte[RecordHeaderSize];
                BinaryPrimitives.WriteInt32LittleEndian(header, payload.Length);
                BinaryPrimitives.WriteInt64LittleEndian(header[8..], sequence);
                var crc = new Crc32();
                crc.Append(header[8..]);
                crc.Append(payload);
                BinaryPrimitives.WriteUInt32LittleEndian(header[4..], crc.GetCurrentHashAsUInt32());
                current.Write(header);
                current.Write(payload);
                current.Flush(flushToDisk: true);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                _current?.Dispose();
                _current = null;
                throw new CheckpointException(
                    $"Could not append a received block to the write-ahead log in '{Directory}': {error.Message} The block was not acknowledged; free disk space or fix the folder's permissions.",
                    error);
            }

            NextSequence = sequence + 1;
            return sequence;
        }
    }

    /// <summary>The blocks with sequence numbers in [<paramref name="from"/>, <paramref name="to"/>), in order.</summary>
    public IReadOnlyList<(long Sequence, byte[] Payload)> Read(long from, long to)
    {
        var result = new List<(long, byte[])>();
        if (from >= to)
        {
            return result;
        }

        lock (_gate)
        {
            var segments = Segments();
            for (var i = 0; i < segments.Count; i++)
            {
                var end = i + 1 < segments.Count ? segments[i + 1].First : long.MaxValue;
                if (end <= from || segments[i].First >= to)
                {
                    continue;
                }

                foreach (var (sequence, payload) in ReadSegment(segments[i].Path, out _))
                {
                    if (sequence >= from && sequence < to)
                    {
                        result.Add((sequence, payload));
                    }
                }
            }
        }

        return result;
    }

    /// <summary>
    /// Deletes the segments whose blocks all have sequence numbers below <paramref name="sequence"/>. When that is
    /// every segment, an empty one named after <see cref="NextSequence"/> is started first: the segment names are
    /// the only record of the numbering, and a reopened log must continue it (a checkpoint's position refers to it).
    /// </summary>
    public void TrimBefore(long sequence)
    {
        lock (_gate)
        {
            var segments = Segments();
            var deletable = 0;
            while (deletable < segments.Count && (deletable + 1 < segments.Count ? segments[deletable + 1].First : NextSequence) <= sequence)
            {
                deletable++;
            }

            if (deletable == 0)
            {
                return;
            }

            if (deletable == segments.Count && segments[^1].First != NextSequence)
            {
                try
                {
                    StartSegment(NextSequence);
                }
                catch (Exception error) when (error is IOException or UnauthorizedAccessException)
                {
                    // Keep the newest segment (its name and records still carry the numbering); the next trim tries again.
                    _logger.LogWarning(error, "Could not start a new write-ahead log segment in {Directory}; the newest segment is kept", Directory);
                    _current = null;
                    deletable--;
                }
            }
            else if (deletable == segments.Count)
            {
                // The newest segment is empty and already named after the next sequence: keep it.
                deletable--;
            }

            for (var i = 0; i < deletable; i++)
            {
                if (_current is not null && segments[i].First == _currentFirst)
                {
                    _current.Dispose();
                    _current = null;
                }

                AtomicFile.TryDelete(segments[i].Path);
            }
        }
    }

    /// <summary>
    /// Continues the numbering at <paramref name="sequence"/> when it is beyond <see cref="NextSequence"/> (segments
    /// were deleted outside the log): the next block starts a segment of that name, so a checkpoint's position
    /// never lies beyond the blocks appended after it.
    /// </summary>
    public void ContinueFrom(long sequence)
    {
        lock (_gate)
        {
            if (sequence <= NextSequence)
            {
                return;
            }

            _logger.LogWarning("The write-ahead log in {Directory} ends at sequence {Next}, before the checkpoint's position {Position}; segments were removed outside Pipelines. Numbering continues at {Position}", Directory, NextSequence, sequence, sequence);
            _current?.Dispose();
            _current = null;
            NextSequence = sequence;
        }
    }

    /// <summary>Deletes every segment.</summary>
    public void DeleteAll()
    {
        lock (_gate)
        {
            _current?.Dispose();
            _current = null;
            foreach (var (_, path) in Segments())
            {
                File.Delete(path);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _current?.Dispose();
            _current = null;
        }
    }

    private List<(long First, string Path)> Segments()
    {
        var result = new List<(long, string)>();
        if (!System.IO.Directory.Exists(Directory))
        {
            return result;
        }

        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, $"{Prefix}*{Extension}"))
        {
            var name = Path.GetFileName(path);
            if (long.TryParse(name.AsSpan(Prefix.Length, name.Length - Prefix.Length - Extension.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var first))
            {
                result.Add((first, path));
            }
        }

        result.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return result;
    }

    /// <summary>Closes the current segment and starts (durably) a new one whose first block is <paramref name="first"/>.</summary>
    private FileStream StartSegment(long first)
    {
        _current?.Dispose();
        _current = null;
        _current = new FileStream(PathOf(first), FileMode.Append, FileAccess.Write, FileShare.Read, 1, FileOptions.None);
        _currentFirst = first;
        DirectorySync.Flush(Directory);
        return _current;
    }

    private string PathOf(long first) => Path.Combine(Directory, string.Create(CultureInfo.InvariantCulture, $"{Prefix}{first:D19}{Extension}"));

    /// <summary>Finds the next sequence number and cuts a torn last record (a crash mid-append) off the last segment.</summary>
    private long RecoverTail()
    {
        var segments = Segments();
        if (segments.Count == 0)
        {
            return 0;
        }

        var (first, path) = segments[^1];
        var records = ReadSegment(path, out var validLength);
        if (validLength < new FileInfo(path).Length)
        {
            _logger.LogWarning("The write-ahead log segment {Path} ends with a torn record; it is cut at byte {Length} (that block was never acknowledged)", path, validLength);
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
            stream.SetLength(validLength);
            stream.Flush(flushToDisk: true);
        }

        return records.Count > 0 ? records[^1].Sequence + 1 : first;
    }

    private static List<(long Sequence, byte[] Payload)> ReadSegment(string path, out long validLength)
    {
        var bytes = File.ReadAllBytes(path);
        var records = new List<(long, byte[])>();
        var offset = 0;
        while (bytes.Length - offset >= RecordHeaderSize)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset));
            if (length < 0 || length > bytes.Length - offset - RecordHeaderSize)
            {
                break;
            }

            var expected = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 4));
            var crc = new Crc32();
            crc.Append(bytes.AsSpan(offset + 8, 8 + length));
            if (crc.GetCurrentHashAsUInt32() != expected)
            {
                break;
            }

            records.Add((BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(offset + 8)), bytes.AsSpan(offset + RecordHeaderSize, length).ToArray()));
            offset += RecordHeaderSize + length;
        }

        validLength = offset;
        return records;
    }
}
