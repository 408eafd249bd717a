namespace Pipelines.Testing;

/// <summary>
/// Runs a stream operation on given input batches with a <see cref="ManualClock"/>, batch by batch, and
/// returns what it produced. Input batch i (from 0) is the batch at time (i + 1) * interval; after the input
/// ends, batches are empty. A <c>null</c> input batch means "no batch" at that time, not an empty batch (Spark's
/// <c>TestInputStream</c> returning <c>None</c>; see <see cref="StreamingContext.QueueStream{T}(IEnumerable{IEnumerable{T}}, bool, IEnumerable{T})"/>).
/// Never waits on the wall clock.
/// </summary>
/// <example>
/// <code>
/// var output = StreamingTest.Run(
///     [["a b", "a"], ["b"]],
///     lines => lines.FlatMap(l => l.Split(' ')).Map(w => (w, 1)).ReduceByKey((x, y) => x + y),
///     numBatches: 2);
/// // output[0] = [("a", 2), ("b", 1)], output[1] = [("b", 1)]
/// </code>
/// </example>
public static class StreamingTest
{
    /// <summary>
    /// Runs <paramref name="operation"/> for <paramref name="numBatches"/> batch intervals and returns one list
    /// per batch time at which its stream produced a batch, in time order.
    /// </summary>
    /// <exception cref="StreamingOperatorException">A batch failed (the first failure is thrown).</exception>
    public static IReadOnlyList<IReadOnlyList<TOut>> Run<TIn, TOut>(
        IEnumerable<IEnumerable<TIn>?> input, Func<DStream<TIn>, DStream<TOut>> operation, int numBatches, TimeSpan? batchInterval = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(operation);
        using var run = Start(input, operation, batchInterval);
        return run.RunToList(numBatches);
    }

    /// <summary>The two-input form of <see cref="Run{TIn, TOut}"/>, for joins, unions and <c>TransformWith</c>.</summary>
    public static IReadOnlyList<IReadOnlyList<TOut>> Run<TIn1, TIn2, TOut>(
        IEnumerable<IEnumerable<TIn1>?> input1,
        IEnumerable<IEnumerable<TIn2>?> input2,
        Func<DStream<TIn1>, DStream<TIn2>, DStream<TOut>> operation,
        int numBatches,
        TimeSpan? batchInterval = null)
    {
        ArgumentNullException.ThrowIfNull(input1);
        ArgumentNullException.ThrowIfNull(input2);
        ArgumentNullException.ThrowIfNull(operation);
        using var run = Start(input1, input2, operation, batchInterval);
        return run.RunToList(numBatches);
    }

    /// <summary>
    /// Starts a run that the caller steps batch by batch with <see cref="StreamingTestRun{TOut}.Step"/>, to see
    /// each batch's output and failure (e.g. a batch that fails while the next ones go on).
    /// </summary>
    public static StreamingTestRun<TOut> Start<TIn, TOut>(
        IEnumerable<IEnumerable<TIn>?> input, Func<DStream<TIn>, DStream<TOut>> operation, TimeSpan? batchInterval = null, StreamingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(operation);
        return new StreamingTestRun<TOut>(batchInterval, options, context => operation(context.QueueStream(input)));
    }

    /// <summary>The two-input form of <see cref="Start{TIn, TOut}"/>.</summary>
    public static StreamingTestRun<TOut> Start<TIn1, TIn2, TOut>(
        IEnumerable<IEnumerable<TIn1>?> input1,
        IEnumerable<IEnumerable<TIn2>?> input2,
        Func<DStream<TIn1>, DStream<TIn2>, DStream<TOut>> operation,
        TimeSpan? batchInterval = null,
        StreamingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(input1);
        ArgumentNullException.ThrowIfNull(input2);
        ArgumentNullException.ThrowIfNull(operation);
        return new StreamingTestRun<TOut>(batchInterval, options, context => operation(context.QueueStream(input1), context.QueueStream(input2)));
    }
}
