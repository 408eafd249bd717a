using Microsoft.Extensions.Logging;

namespace Pipelines.Sources;

/// <summary>
/// Spark's <c>FileInputDStream</c> for text: at each batch time it lists the folder and reads the files that
/// appeared since, each file once, one partition per file. Files present when the stream starts are ignored, as
/// are hidden names (starting with '.' or '_') and files still being copied (<c>*._COPYING_</c>, <c>*.tmp</c>).
/// Files should appear atomically (written elsewhere, then moved or renamed into the folder).
/// </summary>
internal sealed partial class FileInputDStream : InputDStream<string>
{
    private readonly object _gate = new();
    private readonly ILogger _logger;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);
    private readonly HashSet<string> _presentAtStart = new(StringComparer.Ordinal);
    private readonly SortedDictionary<BatchTime, string[]> _filesByBatch = [];
    private readonly Dictionary<string, int> _failedReads = new(StringComparer.Ordinal);
    private bool _restored;

    /// <summary>How many batches in a row a file that cannot be read is tried before it is skipped for good.</summary>
    internal const int MaxReadAttempts = 3;

    public FileInputDStream(StreamingContext context, string directory)
        : base(context, "TextFileStream")
    {
        Directory = Path.GetFullPath(directory);
        _logger = context.LoggerFactory.CreateLogger<FileInputDStream>();
    }

    /// <summary>The folder watched, as a full path.</summary>
    public string Directory { get; }

    /// <summary>The folder watched: a checkpoint of another folder's stream is not restored into this one.</summary>
    public override string? SourceIdentity => "file://" + Directory;

    /// <summary>How many files were skipped for good because they could not be read in <see cref="MaxReadAttempts"/> attempts.</summary>
    internal int SkippedFiles { get; private set; }

    /// <summary>Whether a file name is one Spark would skip: hidden, or a file still being copied.</summary>
    public static bool IsIgnoredName(string fileName) =>
        fileName.Length == 0
        || fileName[0] is '.' or '_'
        || fileName.EndsWith("._COPYING_", StringComparison.Ordinal)
        || fileName.EndsWith(".tmp", StringComparison.OrdinalIgnoreCase);

    internal override void Validate()
    {
        base.Validate();
        if (!System.IO.Directory.Exists(Directory))
        {
            throw new DirectoryNotFoundException(
                $"TextFileStream cannot watch '{Directory}': the folder does not exist. Create it before calling Start(); files moved into it afterwards are read.");
        }
    }

    public override void Start()
    {
        lock (_gate)
        {
            if (_restored)
            {
                return;
            }

            _presentAtStart.Clear();
            foreach (var name in TakeStartListing())
            {
                _presentAtStart.Add(name);
            }
        }
    }

    /// <summary>The names of the files read into the batch at <paramref name="time"/>, while it is remembered.</summary>
    internal IReadOnlyList<string> FilesReadAt(BatchTime time)
    {
        lock (_gate)
        {
            return _filesByBatch.TryGetValue(time, out var files) ? files : [];
        }
    }

    /// <summary>What a checkpoint saves: the files already read, and which files each remembered batch read.</summary>
    internal FileStreamState GetState()
    {
        lock (_gate)
        {
            var batches = new FileStreamBatch[_filesByBatch.Count];
            var i = 0;
            foreach (var (time, files) in _filesByBatch)
            {
                batches[i++] = new FileStreamBatch(time.Milliseconds, [.. files]);
            }

            var read = _read.ToArray();
            Array.Sort(read, StringComparer.Ordinal);
            return new FileStreamState(Directory, read, batches);
        }
    }

    /// <summary>
    /// Restores a checkpointed state before start: the files already read stay read, and every other file in the
    /// folder counts as new (it may have arrived while the job was down).
    /// </summary>
    internal void RestoreState(FileStreamState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (_gate)
        {
            _read.Clear();
            _read.UnionWith(state.ReadFiles);
            _filesByBatch.Clear();
            foreach (var batch in state.Batches)
            {
                _filesByBatch[new BatchTime(batch.BatchTimeMs)] = [.. batch.Files];
            }

            _presentAtStart.Clear();
            _restored = true;
        }
    }

    protected override Batch<string> TakeBatch(BatchTime time)
    {
        lock (_gate)
        {
            var names = ListFileNames();
            if (names is null)
            {
                _logger.LogWarning("TextFileStream: the folder {Directory} cannot be listed; the batch at {BatchTime} reads no files", Directory, time);
                _filesByBatch[time] = [];
                return Batch<string>.Empty;
            }

            var present = new HashSet<string>(names, StringComparer.Ordinal);
            _read.IntersectWith(present);
            _presentAtStart.IntersectWith(present);
            foreach (var gone in _failedReads.Keys.Where(name => !present.Contains(name)).ToList())
            {
                _failedReads.Remove(gone);
            }

            ForgetReportsOfRemoved(present);
            Array.Sort(names, StringComparer.Ordinal);

            var builder = new BatchBuilder<string>(0);
            var selected = new List<string>();
            List<string>? skipped = null;
            foreach (var name in names)
            {
                if (IsIgnoredName(name) || _read.Contains(name) || _presentAtStart.Contains(name) || !IsEligible(name))
                {
                    continue;
                }

                if (TryReadLines(name, time, builder, out var error))
                {
                    _failedReads.Remove(name);
                    selected.Add(name);
                    builder.EndPartition();
                }
                else if (error is not null && CountFailedRead(name, time, error))
                {
                    (skipped ??= []).Add(name);
                }
            }

            // The files count as read only now, together with the batch that holds them (which the checkpoint journal
            // records before it runs): an error above leaves every file of this batch unread.
            _read.UnionWith(selected);
            if (skipped is not null)
            {
                _read.UnionWith(skipped);
            }

            _filesByBatch[time] = [.. selected];
            if (selected.Count > 0)
            {
                _logger.LogDebug("TextFileStream read {Count} new file(s) from {Directory} into the batch at {BatchTime}", selected.Count, Directory, time);
            }

            return builder.Count == 0 && selected.Count == 0 ? Batch<string>.Empty : builder.ToBatch();
        }
    }

    internal override void ClearMetadata(BatchTime time)
    {
        base.ClearMetadata(time);
        var limit = time - RememberDuration;
        lock (_gate)
        {
            while (_filesByBatch.Count > 0)
            {
                var oldest = _filesByBatch.Keys.First();
                if (oldest > limit)
                {
                    break;
                }

                _filesByBatch.Remove(oldest);
            }
        }
    }

    private List<string> ReadBoundedLines(string name)
    {
        var options = Context.Options;
        using var stream = new FileStream(Path.Combine(Directory, name), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        using var reader = new LineReader(stream, options.MaxRecordLength, skipByteOrderMark: true);
        var lines = new List<string>();
        while (true)
        {
            var read = reader.ReadLine();
            if (reader.BytesRead > options.MaxFileSize)
            {
                throw new FileTooLargeException($"it grew past StreamingOptions.MaxFileSize ({options.MaxFileSize} bytes) while being read");
            }

            if (read.Line is { } line)
            {
                lines.Add(line);
            }
            else if (read.IsTooLong)
            {
                MetricsListener.RecordsTooLong.Add(1);
                _logger.LogError(
                    "TextFileStream: line {Line} of {File} in {Directory} is {Length} bytes long, more than StreamingOptions.MaxRecordLength ({Limit} bytes); it was skipped. Raise MaxRecordLength if such records are expected",
                    read.LineNumber,
                    name,
                    Directory,
                    read.SkippedBytes,
                    options.MaxRecordLength);
            }
            else
            {
                return lines;
            }
        }
    }

    /// <summary>A file grew past the size limit while it was read.</summary>
    private sealed class FileTooLargeException(string message) : IOException(message);

    private string[]? ListFileNames()
    {
        try
        {
            return System.IO.Directory.EnumerateFiles(Directory).Select(Path.GetFileName).OfType<string>().ToArray();
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning(error, "TextFileStream could not list {Directory}", Directory);
            return null;
        }
    }

    /// <summary>
    /// Reads one file's lines into <paramref name="builder"/>; false (and nothing added) if it cannot be read now,
    /// with <paramref name="error"/> saying why (<c>null</c> when the file is gone or was reported for good). Any error
    /// of one file (I/O, permissions) stays with that file: the other files of the batch are read. Lines longer than
    /// <see cref="StreamingOptions.MaxRecordLength"/> are skipped with an error naming the file, the line and the limit;
    /// a file that grew past <see cref="StreamingOptions.MaxFileSize"/> is reported and not read.
    /// </summary>
    private bool TryReadLines(string name, BatchTime time, BatchBuilder<string> builder, out Exception? error)
    {
        List<string> lines;
        try
        {
            lines = ReadBoundedLines(name);
        }
        catch (FileTooLargeException tooLarge)
        {
            _reported.Add(name);
            _logger.LogError("TextFileStream skips {File} in {Directory}: {Problem}. It is not tried again while it stays in the folder", name, Directory, tooLarge.Message);
            error = null;
            return false;
        }
        catch (FileNotFoundException)
        {
            error = null;
            return false;
        }
        catch (Exception failure)
        {
            error = failure;
            return false;
        }

        error = null;
        builder.AddRange(lines);
        return true;
    }

    /// <summary>
    /// Counts a failed read of <paramref name="name"/>: it is tried again at the next batches, and after
    /// <see cref="MaxReadAttempts"/> failed attempts it is skipped for good (counted in <see cref="SkippedFiles"/>,
    /// logged as an error) so it never holds the source back. Returns whether it is skipped now. Called under the lock.
    /// </summary>
    private bool CountFailedRead(string name, BatchTime time, Exception error)
    {
        var attempts = _failedReads[name] = _failedReads.GetValueOrDefault(name) + 1;
        if (attempts < MaxReadAttempts)
        {
            _logger.LogWarning(error, "TextFileStream could not read {File} for the batch at {BatchTime} (attempt {Attempt} of {MaxAttempts}: {Reason}); it will be tried again at the next batch", Path.Combine(Directory, name), time, attempts, MaxReadAttempts, error.Message);
            return false;
        }

        _failedReads.Remove(name);
        SkippedFiles++;
        _logger.LogError(error, "TextFileStream skipped {File}: it could not be read in {MaxAttempts} attempts ({Reason}); its records are not in any batch. {Skipped} file(s) skipped so far. To have it read, fix it and move it into {Directory} again under a new name", Path.Combine(Directory, name), MaxReadAttempts, error.Message, SkippedFiles, Directory);
        return true;
    }
}

/// <summary>The checkpointable state of a <c>TextFileStream</c>: plain data.</summary>
/// <param name="Directory">The folder watched, as a full path.</param>
/// <param name="ReadFiles">Names of the files already read (and still in the folder), in ordinal order.</param>
/// <param name="Batches">For each remembered batch, the files it read.</param>
internal sealed record FileStreamState(string Directory, string[] ReadFiles, FileStreamBatch[] Batches);

/// <summary>The files one batch of a <c>TextFileStream</c> read.</summary>
/// <param name="BatchTimeMs">The batch time in milliseconds.</param>
/// <param name="Files">The file names, in the order they were read.</param>
internal sealed record FileStreamBatch(long BatchTimeMs, string[] Files);
