using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Pipelines.Outputs;

namespace Pipelines;

/// <summary>Object-file and per-partition output operations.</summary>
public abstract partial class DStream<T>
{
    /// <summary>
    /// Writes each batch to the file <c>prefix-&lt;batch time in ms&gt;.suffix</c> (no dot when <paramref name="suffix"/>
    /// is empty) as JSON Lines: one JSON value per record and per line, UTF-8, written with <paramref name="typeInfo"/>
    /// (e.g. from a source-generated <c>JsonSerializerContext</c>). This is Spark's <c>saveAsObjectFiles</c> in a .NET
    /// form: read the files back with <see cref="ObjectFiles"/> or <see cref="StreamingContext.ObjectFileStream{T}(string, JsonTypeInfo{T})"/>.
    /// As with <see cref="SaveAsTextFiles"/>, each file appears atomically and a replayed batch replaces its file, so
    /// output is never duplicated.
    /// </summary>
    /// <example>
    /// <code>
    /// [JsonSerializable(typeof(WordCount))] partial class Json : JsonSerializerContext;
    /// counts.SaveAsObjectFiles("/data/out/counts", Json.Default.WordCount, "jsonl");
    /// // later: var saved = ObjectFiles.ReadAll("/data/out/counts", Json.Default.WordCount, "jsonl");
    /// </code>
    /// </example>
    /// <exception cref="ArgumentException"><paramref name="prefix"/> is empty.</exception>
    public void SaveAsObjectFiles(string prefix, JsonTypeInfo<T> typeInfo, string? suffix = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ArgumentNullException.ThrowIfNull(typeInfo);
        ForEachBatchCore(nameof(SaveAsObjectFiles), (batch, time, cancellationToken) =>
            ObjectFiles.WriteAsync(TextFileName(prefix, suffix, time), batch, typeInfo, cancellationToken));
    }

    /// <summary>
    /// <see cref="SaveAsObjectFiles(string, JsonTypeInfo{T}, string)"/> with the reflection-based serializer and
    /// <paramref name="options"/> (<c>null</c> for <see cref="JsonSerializerOptions.Default"/>). Prefer the
    /// <see cref="JsonTypeInfo{T}"/> overload with a source-generated context for trimmed or native AOT applications.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="prefix"/> is empty.</exception>
    [RequiresUnreferencedCode(ObjectFiles.ReflectionWarning)]
    [RequiresDynamicCode(ObjectFiles.ReflectionWarning)]
    public void SaveAsObjectFiles(string prefix, string? suffix = null, JsonSerializerOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        SaveAsObjectFiles(prefix, ObjectFiles.TypeInfo<T>(options), suffix);
    }

    /// <summary>
    /// Runs <paramref name="partitionAction"/> once per partition of each batch the stream produces (Spark's
    /// <c>foreachRDD(rdd =&gt; rdd.foreachPartition(...))</c>): the idiom for one connection per partition rather than
    /// per record or per batch. A batch's partitions are handed over in order; where batches run in parallel partitions
    /// the calls for one batch may run at the same time, so keep what a call opens inside the call. A batch with no
    /// records still has one (empty) partition.
    /// </summary>
    /// <example>
    /// <code>
    /// counts.ForEachBatch(partition =>
    /// {
    ///     using var connection = pool.Open();          // one connection per partition
    ///     foreach (var (word, count) in partition.Span) connection.Send(word, count, partition.Time);
    /// });
    /// </code>
    /// </example>
    public void ForEachBatch(Action<BatchPartition<T>> partitionAction)
    {
        ArgumentNullException.ThrowIfNull(partitionAction);
        ForEachBatchCore(nameof(ForEachBatch), (batch, time, _) =>
        {
            for (var p = 0; p < batch.PartitionCount; p++)
            {
                partitionAction(new BatchPartition<T>(batch, p, time));
            }

            return ValueTask.CompletedTask;
        });
    }

    /// <summary>
    /// The asynchronous form of <see cref="ForEachBatch(Action{BatchPartition{T}})"/>: each partition's call is awaited
    /// before the next partition's; the token is cancelled by a non-graceful stop.
    /// </summary>
    public void ForEachBatch(Func<BatchPartition<T>, CancellationToken, ValueTask> partitionAction)
    {
        ArgumentNullException.ThrowIfNull(partitionAction);
        ForEachBatchCore(nameof(ForEachBatch), async (batch, time, cancellationToken) =>
        {
            for (var p = 0; p < batch.PartitionCount; p++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await partitionAction(new BatchPartition<T>(batch, p, time), cancellationToken).ConfigureAwait(false);
            }
        });
    }
}
