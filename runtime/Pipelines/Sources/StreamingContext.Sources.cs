using Pipelines.Sources;

namespace Pipelines;

/// <summary>Input streams over files.</summary>
public sealed partial class StreamingContext
{
    /// <summary>
    /// An input stream of the lines of the text files (UTF-8) that appear in <paramref name="directory"/> after the
    /// context starts (Spark's <c>textFileStream</c>). At each batch time the folder is listed; each new file is read
    /// once, whole, into that batch. Files present at start, sub-folders, hidden names (starting with '.' or '_') and
    /// files being copied (<c>*._COPYING_</c>, <c>*.tmp</c>) are ignored. Write each file elsewhere and move it into
    /// the folder, so that it appears complete.
    /// </summary>
    /// <param name="directory">The folder to watch; it must exist when the context starts.</param>
    /// <example>
    /// <code>
    /// var lines = ssc.TextFileStream("/data/incoming");
    /// lines.Count().Print();
    /// ssc.Start();
    /// // elsewhere: File.Move("/data/staging/part-1.txt", "/data/incoming/part-1.txt");
    /// </code>
    /// </example>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty.</exception>
    /// <exception cref="DirectoryNotFoundException">Thrown by <see cref="Start"/> when the folder does not exist.</exception>
    public DStream<string> TextFileStream(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        return Register(new FileInputDStream(this, directory));
    }
}
