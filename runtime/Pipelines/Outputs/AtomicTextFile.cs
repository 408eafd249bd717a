using System.Globalization;
using System.Text;

namespace Pipelines.Outputs;

/// <summary>Writes a file so that readers see either the old file or the whole new one.</summary>
internal static class AtomicTextFile
{
    /// <summary>Writes one line per record to a temporary file beside <paramref name="path"/>, flushes it to disk, then renames it over <paramref name="path"/>.</summary>
    public static async ValueTask WriteLinesAsync<T>(string path, IEnumerable<T> records, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
            await using (var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
            {
                foreach (var record in records)
                {
                    await writer.WriteAsync(Convert.ToString(record, CultureInfo.InvariantCulture)).ConfigureAwait(false);
                    await writer.WriteAsync('\n').ConfigureAwait(false);
                }

                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
