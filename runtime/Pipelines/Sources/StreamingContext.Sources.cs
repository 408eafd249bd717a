using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
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

    /// <summary>
    /// An input stream of the records in the object files (JSON Lines, as <see cref="DStream{T}.SaveAsObjectFiles(string, JsonTypeInfo{T}, string)"/>
    /// writes them) that appear in <paramref name="directory"/> after the context starts: <see cref="TextFileStream"/>'s
    /// rules for which files are read, each line parsed with <paramref name="typeInfo"/> (blank lines skipped), one
    /// partition per file. A line that is not a JSON value of <typeparamref name="T"/> fails its batch with an
    /// <see cref="InvalidDataException"/>.
    /// </summary>
    /// <param name="directory">The folder to watch; it must exist when the context starts.</param>
    /// <param name="typeInfo">How a record is read (e.g. from a source-generated <c>JsonSerializerContext</c>).</param>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty.</exception>
    public DStream<T> ObjectFileStream<T>(string directory, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        var lines = TextFileStream(directory);
        var source = $"ObjectFileStream({directory})";
        return new Operators.TransformedDStream<string, T>(lines, nameof(ObjectFileStream), (batch, _) => ObjectFiles.ParseLines(batch, typeInfo, source));
    }

    /// <summary>
    /// The reflection-based form of <see cref="ObjectFileStream{T}(string, JsonTypeInfo{T})"/> (<c>null</c> options:
    /// <see cref="JsonSerializerOptions.Default"/>).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty.</exception>
    [RequiresUnreferencedCode(ObjectFiles.ReflectionWarning)]
    [RequiresDynamicCode(ObjectFiles.ReflectionWarning)]
    public DStream<T> ObjectFileStream<T>(string directory, JsonSerializerOptions? options = null) => ObjectFileStream(directory, ObjectFiles.TypeInfo<T>(options));
}
