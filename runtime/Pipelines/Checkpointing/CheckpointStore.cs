using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Pipelines.Checkpointing;

/// <summary>
/// The checkpoint files of one folder: <c>checkpoint-&lt;batch time ms&gt;.bin</c>, each written atomically,
/// the newest <see cref="Retained"/> kept. Loading tries the newest first and falls back to older ones when a
/// file is damaged.
/// </summary>
internal sealed class CheckpointStore
{
    private const string Prefix = "checkpoint-";
    private const string Extension = ".bin";
    private readonly ILogger _logger;

    public CheckpointStore(string directory, int retained, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(retained, 1);
        Directory = Path.GetFullPath(directory);
        Retained = retained;
        _logger = logger;
    }

    public string Directory { get; }

    public int Retained { get; }

    /// <summary>Creates the folder if needed and checks that files can be created in it.</summary>
    /// <exception cref="CheckpointException">The folder cannot be created or written.</exception>
    public void EnsureWritable()
    {
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            var probe = Path.Combine(Directory, $".probe-{Guid.NewGuid():N}.tmp");
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }

            // Temporary files of writes a crash interrupted (checkpoints, journal rewrites): never read, so removed.
            foreach (var pattern in new[] { $".{Prefix}*.tmp", $".{BatchJournal.FileName}.*.tmp" })
            {
                foreach (var stale in System.IO.Directory.EnumerateFiles(Directory, pattern))
                {
                    AtomicFile.TryDelete(stale);
                }
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new CheckpointException(
                $"The checkpoint folder '{Directory}' cannot be written: {error.Message} Choose a folder the process can create files in (and not the path of an existing file).",
                error);
        }
    }

    /// <summary>The checkpoint files present, newest first.</summary>
    public IReadOnlyList<(BatchTime Time, string Path)> List()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }

        var result = new List<(BatchTime, string)>();
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, $"{Prefix}*{Extension}"))
        {
            var name = Path.GetFileName(path);
            var digits = name.AsSpan(Prefix.Length, name.Length - Prefix.Length - Extension.Length);
            if (long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms))
            {
                result.Add((new BatchTime(ms), path));
            }
        }

        result.Sort((a, b) => b.Item1.CompareTo(a.Item1));
        return result;
    }

    /// <summary>Writes the checkpoint of <paramref name="time"/> with <paramref name="payload"/> (see <see cref="Write(BatchTime, Action{Stream})"/>).</summary>
    public string Write(BatchTime time, ReadOnlySpan<byte> payload)
    {
        var copy = payload.ToArray();
        return Write(time, stream => stream.Write(copy));
    }

    /// <summary>
    /// Writes the checkpoint of <paramref name="time"/>, its payload streamed by <paramref name="writePayload"/>,
    /// and deletes those beyond the retained count.
    /// </summary>
    /// <exception cref="CheckpointException">The file could not be written; the existing checkpoints are untouched.</exception>
    public string Write(BatchTime time, Action<Stream> writePayload)
    {
        var path = PathOf(time);
        try
        {
            CheckpointFile.WriteAtomically(path, writePayload);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException(
                $"Could not write the checkpoint of the batch at {time} to '{Directory}': {error.Message} The checkpoints written before are untouched; free disk space or fix the folder's permissions, then restart from them.",
                error);
        }

        Trim();
        return path;
    }

    /// <summary>
    /// Loads the newest checkpoint that is intact and that <paramref name="parse"/> accepts; logs a warning for
    /// each damaged one skipped. Returns <c>null</c> when the folder holds no checkpoint.
    /// </summary>
    /// <exception cref="CheckpointException">There are checkpoint files but none is usable.</exception>
    public (BatchTime Time, string Path, T Value)? LoadNewest<T>(Func<byte[], T> parse)
    {
        var problems = new List<string>();
        foreach (var loaded in LoadUsable(parse, problems))
        {
            return loaded;
        }

        return problems.Count == 0 ? null : throw NoneUsable(problems);
    }

    /// <summary>
    /// The checkpoints that are intact and that <paramref name="parse"/> accepts, newest first, read one at a time
    /// as the caller asks for the next; each one skipped adds a line to <paramref name="problems"/> and logs a warning.
    /// </summary>
    public IEnumerable<(BatchTime Time, string Path, T Value)> LoadUsable<T>(Func<byte[], T> parse, List<string> problems)
    {
        foreach (var (time, path) in List())
        {
            string problem;
            var parsed = false;
            T value = default!;
            if (CheckpointFile.TryRead(path, out var payload, out problem))
            {
                try
                {
                    value = parse(payload);
                    parsed = true;
                }
                catch (Exception error) when (IsContentError(error))
                {
                    problem = $"its content cannot be read ({error.Message})";
                }
            }

            if (parsed)
            {
                yield return (time, path, value);
                continue;
            }

            Skip(path, problem, problems);
        }
    }

    /// <summary>Records that <paramref name="path"/> cannot be used, and why, and logs a warning naming it.</summary>
    public void Skip(string path, string problem, List<string> problems)
    {
        problems.Add($"'{Path.GetFileName(path)}': {problem}");
        _logger.LogWarning("Skipping checkpoint {Path}: {Problem}; trying an older one", path, problem);
    }

    /// <summary>The error when checkpoint files exist and none is usable, listing each file and what was wrong with it.</summary>
    public CheckpointException NoneUsable(IReadOnlyList<string> problems) => new(
        $"No usable checkpoint in '{Directory}': {string.Join("; ", problems)}. Restore the folder from a backup, or delete it (or set CheckpointOptions.DiscardIncompatible = true) to start fresh, losing the saved state.");

    /// <summary>Whether <paramref name="error"/> says that a checkpoint's content (valid checksum) cannot be read or restored.</summary>
    public static bool IsContentError(Exception error) =>
        error is System.Text.Json.JsonException or FormatException or InvalidDataException or KeyNotFoundException or InvalidOperationException
            or IndexOutOfRangeException or ArgumentException or NotSupportedException or OverflowException or InvalidCastException;

    /// <summary>Deletes every checkpoint file of the folder.</summary>
    public void DeleteAll()
    {
        foreach (var (_, path) in List())
        {
            File.Delete(path);
        }
    }

    private string PathOf(BatchTime time) =>
        Path.Combine(Directory, string.Create(CultureInfo.InvariantCulture, $"{Prefix}{time.Milliseconds}{Extension}"));

    private void Trim()
    {
        var files = List();
        for (var i = Retained; i < files.Count; i++)
        {
            AtomicFile.TryDelete(files[i].Path);
        }
    }
}
