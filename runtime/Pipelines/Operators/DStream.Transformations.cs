using Pipelines.Operators;

namespace Pipelines;

/// <summary>The transformations of one stream (Spark's DStream methods, in .NET casing).</summary>
public abstract partial class DStream<T>
{
    /// <summary>A stream of <paramref name="mapper"/> applied to each record.</summary>
    public DStream<TResult> Map<TResult>(Func<T, TResult> mapper)
    {
        ArgumentNullException.ThrowIfNull(mapper);
        return new TransformedDStream<T, TResult>(this, nameof(Map), (batch, _) => NarrowKernels.Map(batch, mapper, Context.Options.Parallelism));
    }

    /// <summary>A stream of every record that <paramref name="mapper"/> returns for each record.</summary>
    public DStream<TResult> FlatMap<TResult>(Func<T, IEnumerable<TResult>> mapper)
    {
        ArgumentNullException.ThrowIfNull(mapper);
        return new TransformedDStream<T, TResult>(this, nameof(FlatMap), (batch, _) => NarrowKernels.FlatMap(batch, mapper, Context.Options.Parallelism));
    }

    /// <summary>A stream of the records for which <paramref name="predicate"/> holds.</summary>
    public DStream<T> Filter(Func<T, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return new TransformedDStream<T, T>(this, nameof(Filter), (batch, _) => NarrowKernels.Filter(batch, predicate, Context.Options.Parallelism));
    }

    /// <summary>
    /// A stream of what <paramref name="mapper"/> returns for each partition of each batch (Spark's
    /// <c>mapPartitions</c>); the function sees a whole partition, e.g. to set up a connection once.
    /// </summary>
    public DStream<TResult> MapBatch<TResult>(Func<IEnumerable<T>, IEnumerable<TResult>> mapper)
    {
        ArgumentNullException.ThrowIfNull(mapper);
        return new TransformedDStream<T, TResult>(this, nameof(MapBatch), (batch, _) => NarrowKernels.MapBatch(batch, mapper, Context.Options.Parallelism));
    }

    /// <summary>A stream with one array per partition of each batch, holding that partition's records.</summary>
    public DStream<T[]> Glom() => new TransformedDStream<T, T[]>(this, nameof(Glom), static (batch, _) => NarrowKernels.Glom(batch));

    /// <summary>The same records spread round-robin over <paramref name="numPartitions"/> partitions.</summary>
    public DStream<T> Repartition(int numPartitions)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numPartitions);
        return new TransformedDStream<T, T>(this, nameof(Repartition), (batch, _) => NarrowKernels.Repartition(batch, numPartitions));
    }

    /// <summary>
    /// The union of this stream and <paramref name="other"/> (same context, same slide). A time at which either has no
    /// batch (not even an empty one) fails, as Spark's <c>union</c> throws there.
    /// </summary>
    public DStream<T> Union(DStream<T> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new UnionDStream<T>(Context, [this, other]);
    }

    /// <summary>A stream with one record per batch: the number of records in that batch (0 for an empty batch).</summary>
    public DStream<long> Count() => new TransformedDStream<T, long>(this, nameof(Count), static (batch, _) => NarrowKernels.Count(batch));

    /// <summary>
    /// A stream with one record per non-empty batch: the batch's records combined with <paramref name="reducer"/>,
    /// which must be associative. An empty batch gives an empty batch.
    /// </summary>
    public DStream<T> Reduce(Func<T, T, T> reducer)
    {
        ArgumentNullException.ThrowIfNull(reducer);
        return new TransformedDStream<T, T>(this, nameof(Reduce), (batch, _) => NarrowKernels.Reduce(batch, reducer));
    }

    /// <summary>
    /// A stream of what <paramref name="transform"/> returns for each batch (Spark's <c>transform</c>). A time at
    /// which this stream has no batch (not even an empty one, see <see cref="StreamingContext.QueueStream{T}(IEnumerable{IEnumerable{T}}, bool, IEnumerable{T})"/>)
    /// fails, as Spark's <c>transform</c> throws there.
    /// </summary>
    public DStream<TResult> Transform<TResult>(Func<Batch<T>, IEnumerable<TResult>> transform)
    {
        ArgumentNullException.ThrowIfNull(transform);
        return Transform((batch, _) => transform(batch));
    }

    /// <summary>A stream of what <paramref name="transform"/> returns for each batch and its time; a time with no batch fails, as in Spark.</summary>
    public DStream<TResult> Transform<TResult>(Func<Batch<T>, BatchTime, IEnumerable<TResult>> transform)
    {
        ArgumentNullException.ThrowIfNull(transform);
        return new TransformedDStream<T, TResult>(this, nameof(Transform), (batch, time) => Materialize(transform(batch, time), nameof(Transform)), requireBatch: true);
    }

    /// <summary>
    /// A stream of what <paramref name="transform"/> returns for the batches of this stream and <paramref name="other"/>
    /// at each time (Spark's <c>transformWith</c>). A time at which either stream has no batch (not even an empty one)
    /// fails, as Spark's <c>transformWith</c> throws there.
    /// </summary>
    public DStream<TResult> TransformWith<TOther, TResult>(DStream<TOther> other, Func<Batch<T>, Batch<TOther>, IEnumerable<TResult>> transform)
    {
        ArgumentNullException.ThrowIfNull(transform);
        return TransformWith<TOther, TResult>(other, (left, right, _) => transform(left, right));
    }

    /// <summary>A stream of what <paramref name="transform"/> returns for the batches of this stream and <paramref name="other"/> and their time; a time at which either has no batch fails, as in Spark.</summary>
    public DStream<TResult> TransformWith<TOther, TResult>(DStream<TOther> other, Func<Batch<T>, Batch<TOther>, BatchTime, IEnumerable<TResult>> transform)
    {
        ArgumentNullException.ThrowIfNull(other);
        ArgumentNullException.ThrowIfNull(transform);
        return new BinaryTransformedDStream<T, TOther, TResult>(this, other, nameof(TransformWith), (left, right, time) => Materialize(transform(left, right, time), nameof(TransformWith)), requireBatches: true);
    }

    /// <summary>
    /// Copies of this stream's batches at the valid times in [<paramref name="from"/>, <paramref name="to"/>]
    /// (Spark's <c>slice</c>). Works once the context started, for times the stream still remembers or can
    /// compute; use <see cref="StreamingContext.Remember"/> to look further back.
    /// </summary>
    public IReadOnlyList<Batch<T>> Slice(BatchTime from, BatchTime to)
    {
        if (from > to)
        {
            throw new ArgumentException($"Slice needs from ({from}) to be no later than to ({to}).", nameof(from));
        }

        var batches = SliceBatches(from, to);
        var copies = new Batch<T>[batches.Count];
        for (var i = 0; i < copies.Length; i++)
        {
            copies[i] = Batch<T>.From(batches[i].Batch.Span);
        }

        return copies;
    }

    internal static Batch<TResult> Materialize<TResult>(IEnumerable<TResult>? records, string operation)
    {
        if (records is null)
        {
            throw new InvalidOperationException($"The {operation} function returned null; return an empty sequence instead.");
        }

        var builder = new BatchBuilder<TResult>();
        builder.AddRange(records);
        return builder.ToBatch();
    }
}
