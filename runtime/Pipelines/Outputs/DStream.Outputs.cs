using System.Globalization;
using Pipelines.Outputs;

namespace Pipelines;

/// <summary>The output operations of a stream: what makes batches run.</summary>
public abstract partial class DStream<T>
{
    /// <summary>
    /// Prints the first <paramref name="num"/> records of each batch under a header with the batch time, and
    /// <c>...</c> when the batch has more (Spark's <c>print</c>). Writes to <see cref="StreamingOptions.Output"/>
    /// or the console.
    /// </summary>
    public void Print(int num = 10)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(num);
        ForEachBatchCore(nameof(Print), (batch, time, _) =>
        {
            var output = Context.Options.Output ?? Console.Out;
            output.Write(BatchPrinter.Format(batch, time, num));
            return ValueTask.CompletedTask;
        });
    }

    /// <summary>
    /// Runs <paramref name="action"/> on each batch the stream produces, with the batch's time (Spark's
    /// <c>foreachRDD</c>). The batch is valid during the call; copy records to keep them. The time lets a sink
    /// write idempotently (a batch replayed after recovery has the same time).
    /// </summary>
    public void ForEachBatch(Action<Batch<T>, BatchTime> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        ForEachBatchCore(nameof(ForEachBatch), (batch, time, _) =>
        {
            action(batch, time);
            return ValueTask.CompletedTask;
        });
    }

    /// <summary>The asynchronous form of <see cref="ForEachBatch(Action{Batch{T}, BatchTime})"/>; the token is cancelled by a non-graceful stop.</summary>
    public void ForEachBatch(Func<Batch<T>, BatchTime, CancellationToken, ValueTask> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        ForEachBatchCore(nameof(ForEachBatch), action);
    }

    /// <summary>
    /// Writes each batch to the text file <c>prefix-&lt;batch time in ms&gt;.suffix</c> (no dot when
    /// <paramref name="suffix"/> is empty), one record per line. The file appears atomically; writing the same
    /// batch again replaces it, so a replayed batch never duplicates output.
    /// </summary>
    public void SaveAsTextFiles(string prefix, string? suffix = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ForEachBatchCore(nameof(SaveAsTextFiles), (batch, time, cancellationToken) =>
            AtomicTextFile.WriteLinesAsync(TextFileName(prefix, suffix, time), batch, cancellationToken));
    }

    internal static string TextFileName(string prefix, string? suffix, BatchTime time)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"{prefix}-{time.Milliseconds}");
        return string.IsNullOrEmpty(suffix) ? name : $"{name}.{suffix}";
    }

    private void ForEachBatchCore(string name, Func<Batch<T>, BatchTime, CancellationToken, ValueTask> action) =>
        Context.RegisterOutput(new ForEachOutput<T>(this, name, action));
}
