using System.Collections.Concurrent;

namespace Pipelines.Sources;

/// <summary>
/// Spark's <c>queueStream</c>: each batch takes one queued collection, or all of them. A queued <c>null</c> stands for
/// "no batch" at that time (taken one at a time; when taking all, a <c>null</c> contributes nothing).
/// </summary>
internal sealed class QueueInputDStream<T> : InputDStream<T>
{
    private readonly ConcurrentQueue<IEnumerable<T>> _queue;
    private readonly bool _oneAtATime;
    private readonly T[]? _defaultBatch;

    /// <summary>
    /// The default batch as a batch over the stream's own copy (never changed, never pooled), already cut into the
    /// context's input partitions: a time that takes the default batch copies and allocates nothing.
    /// </summary>
    private Batch<T>? _defaultView;

    /// <summary>Reused for every batch (batches are taken one at a time, under the scheduler's lock): <c>ToBatch</c> hands its buffer over.</summary>
    private readonly BatchBuilder<T> _builder = new();

    public QueueInputDStream(StreamingContext context, ConcurrentQueue<IEnumerable<T>> queue, bool oneAtATime, IEnumerable<T>? defaultBatch)
        : base(context, "QueueStream")
    {
        _queue = queue;
        _oneAtATime = oneAtATime;
        _defaultBatch = defaultBatch?.ToArray();
    }

    protected override Batch<T>? TakeBatch(BatchTime time)
    {
        var builder = _builder;
        builder.ReleaseBuffer(); // a batch that threw half-way must not leave records for the next one (no-op when empty)
        var any = false;
        while (_queue.TryDequeue(out var records))
        {
            if (records is null)
            {
                if (_oneAtATime)
                {
                    return null; // "no batch" at this time, as Spark's TestInputStream's null batch
                }

                continue;
            }

            any = true;
            builder.AddRange(records);
            if (_oneAtATime)
            {
                break;
            }

            builder.EndPartition();
        }

        if (!any && _defaultBatch is not null)
        {
            // Read in place: the records are the stream's private copy, and a batch is read-only.
            return _defaultView ??= new Batch<T>(_defaultBatch, _defaultBatch.Length, null, pooled: false)
                .SplitPartitions(Context.Options.InputPartitionRecords);
        }

        return builder.ToBatch();
    }
}
