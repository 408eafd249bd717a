using System.Globalization;
using System.Text;

namespace Pipelines.Outputs;

/// <summary>Writes a batch as a text file that readers see either whole or not at all.</summary>
internal static class AtomicTextFile
{
    /// <summary>Writes one line per record and replaces <paramref name="path"/> atomically (<see cref="AtomicFile"/>).</summary>
    public static ValueTask WriteLinesAsync<T>(string path, IEnumerable<T> records, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return AtomicFile.ReplaceAsync(path, async (stream, token) =>
        {
            await using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true);
            foreach (var record in records)
            {
                await writer.WriteAsync(Convert.ToString(record, CultureInfo.InvariantCulture)).ConfigureAwait(false);
                await writer.WriteAsync('\n').ConfigureAwait(false);
            }

            await writer.FlushAsync(token).ConfigureAwait(false);
        }, cancellationToken);
    }
}
