namespace Pipelines;

/// <summary>
/// Replaces a file so that readers, and a restart after a crash, see either the old file or the whole new one:
/// the content goes to a temporary file beside it (<c>.name.guid.tmp</c>), is flushed to disk and renamed over
/// the file, then the folder is flushed. Checkpoints, the batch journal and <c>SaveAsTextFiles</c> write this way.
/// </summary>
internal static class AtomicFile
{
    private const int BufferSize = 64 * 1024;

    /// <summary>Replaces <paramref name="path"/> with what <paramref name="write"/> writes.</summary>
    public static void Replace(string path, Action<Stream> write) =>
        Replace(path, stream =>
        {
            write(stream);
            return true;
        });

    /// <summary>Replaces <paramref name="path"/> with what <paramref name="write"/> writes; returns what it returns.</summary>
    public static T Replace<T>(string path, Func<Stream, T> write)
    {
        var (directory, temp) = TempBeside(path);
        T result;
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.None))
            {
                result = write(stream);
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
        return result;
    }

    /// <summary>The asynchronous form of <see cref="Replace{T}"/>.</summary>
    public static async ValueTask ReplaceAsync(string path, Func<Stream, CancellationToken, ValueTask> write, CancellationToken cancellationToken)
    {
        var (directory, temp) = TempBeside(path);
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous))
            {
                await write(stream, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
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

    /// <summary>Deletes a file if it can; a file that cannot be deleted is left for a later cleanup.</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static (string Directory, string Temp) TempBeside(string path)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        return (directory, Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp"));
    }
}
