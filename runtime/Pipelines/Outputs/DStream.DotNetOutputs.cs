using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Pipelines.Outputs;

namespace Pipelines;

/// <summary>Output operations that hand batches to .NET's own asynchronous sequences.</summary>
public abstract partial class DStream<T>
{
    /// <summary>
    /// Registers an output that hands each batch (its time and a copy of its records) to the returned sequence, in
    /// batch order. Call it before the context starts; enumerate the result once (e.g. with <c>await foreach</c>).
    /// The sequence ends when the context stops, after the batches a graceful stop finished; it throws the error
    /// that <see cref="StreamingContext.AwaitTerminationAsync"/> would throw when the context fails.
    /// </summary>
    /// <remarks>
    /// <para>Backpressure: at most <paramref name="capacity"/> batches wait for the consumer. When they are all
    /// waiting, the output waits too, so the next batch does not start: a slow consumer slows the stream (batches
    /// queue up and the context reports falling behind) instead of being flooded or losing batches.</para>
    /// <para>Cancellation: cancelling the enumeration (<c>WithCancellation</c>) ends the consumer's loop, not the
    /// context; stop the context to stop the stream. A non-graceful stop cancels an output that waits for room.</para>
    /// </remarks>
    /// <param name="capacity">How many batches may wait for the consumer (default 16).</param>
    /// <example>
    /// <code>
    /// var batches = counts.ToAsyncEnumerable();
    /// ssc.Start();
    /// await foreach (var batch in batches.WithCancellation(token))
    /// {
    ///     Console.WriteLine($"{batch.Time}: {batch.Records.Count} words");
    /// }
    /// </code>
    /// </example>
    /// <exception cref="InvalidOperationException">The context has started.</exception>
    public IAsyncEnumerable<StreamBatch<T>> ToAsyncEnumerable(int capacity = 16)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        var channel = Channel.CreateBounded<StreamBatch<T>>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        ForEachBatchCore(nameof(ToAsyncEnumerable), async (batch, time, cancellationToken) =>
        {
            var copy = new StreamBatch<T>(time, Batch<T>.From(batch.Span));
            if (await channel.Writer.WaitToWriteAsync(cancellationToken).ConfigureAwait(false))
            {
                channel.Writer.TryWrite(copy);
            }
        });
        _ = CompleteOnTerminationAsync(Context, error => channel.Writer.TryComplete(error));
        return ReadOnce(channel.Reader, new StrongBox<int>());
    }

    /// <summary>
    /// Registers an output that pushes each batch (its time and a copy of its records) to the returned observable's
    /// subscribers, in batch order, on the job loop's thread. Call it before the context starts. The observable is
    /// hot: a subscriber gets the batches that complete after it subscribed. It completes when the context stops and
    /// signals <c>OnError</c> with the error <see cref="StreamingContext.AwaitTerminationAsync"/> would throw when the
    /// context fails. No Rx package is needed; with System.Reactive, compose it with its operators.
    /// </summary>
    /// <remarks>
    /// Backpressure: <c>OnNext</c> is called synchronously, as the observable contract requires, so the batch's output
    /// finishes only when every subscriber returned: a slow subscriber slows the stream (batches queue up and the
    /// context reports falling behind). An exception thrown by a subscriber fails the batch, as any output's would.
    /// Disposing a subscription stops its deliveries, not the context.
    /// </remarks>
    /// <example>
    /// <code>
    /// using var subscription = counts.ToObservable().Subscribe(new BatchPrinter());
    /// ssc.Start();
    /// </code>
    /// </example>
    /// <exception cref="InvalidOperationException">The context has started.</exception>
    public IObservable<StreamBatch<T>> ToObservable()
    {
        var subject = new BatchSubject<T>();
        ForEachBatchCore(nameof(ToObservable), (batch, time, _) =>
        {
            if (subject.HasObservers)
            {
                subject.OnNext(new StreamBatch<T>(time, Batch<T>.From(batch.Span)));
            }

            return ValueTask.CompletedTask;
        });
        _ = CompleteOnTerminationAsync(Context, subject.Complete);
        return subject;
    }

    private static async Task CompleteOnTerminationAsync(StreamingContext context, Action<Exception?> complete)
    {
        try
        {
            await context.AwaitTerminationAsync().ConfigureAwait(false);
            complete(null);
        }
        catch (Exception error)
        {
            complete(error);
        }
    }

    private static async IAsyncEnumerable<StreamBatch<T>> ReadOnce(ChannelReader<StreamBatch<T>> reader, StrongBox<int> enumerated, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref enumerated.Value, 1) != 0)
        {
            throw new InvalidOperationException("The sequence returned by ToAsyncEnumerable can be enumerated once. Call ToAsyncEnumerable once per consumer, before the context starts.");
        }

        await foreach (var batch in reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return batch;
        }
    }
}
