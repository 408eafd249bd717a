using System.Threading.Channels;
using Pipelines.Receivers;

namespace Pipelines;

/// <summary>Input streams over .NET's own asynchronous sequences: <see cref="IAsyncEnumerable{T}"/>, channels and observables.</summary>
public sealed partial class StreamingContext
{
    /// <summary>
    /// An input stream of the items of <paramref name="source"/>, enumerated once from the start of the context by a
    /// receiver (Spark has no equivalent; it plays the role of a custom receiver). Each batch holds the items produced
    /// during its interval.
    /// </summary>
    /// <remarks>
    /// <para>Backpressure: the next item is requested only after the previous one was stored, so a rate limit
    /// (<see cref="BackpressureOptions"/>) slows the enumeration itself; nothing is buffered ahead of it.</para>
    /// <para>Cancellation: the enumerator gets a token (<c>WithCancellation</c>) that is cancelled when the context
    /// stops; the items stored until then are in the batches a graceful stop finishes.</para>
    /// <para>End and errors: when the sequence ends, the receiver stops and the stream's later batches are empty;
    /// the context keeps running. When the sequence throws, the receiver stops with the error and
    /// <see cref="AwaitTerminationAsync"/> throws a <see cref="ReceiverException"/> carrying it. The sequence is never
    /// enumerated a second time.</para>
    /// <para>Reliability: items are held in memory until their batch is cut; a crash loses the items not yet in a
    /// completed batch (at most once). Use a replayable source for exactly-once input.</para>
    /// </remarks>
    /// <param name="source">The sequence to read.</param>
    /// <example>
    /// <code>
    /// async IAsyncEnumerable&lt;string&gt; ReadLines([EnumeratorCancellation] CancellationToken token = default) { ... }
    /// var lines = ssc.AsyncEnumerableStream(ReadLines());
    /// </code>
    /// </example>
    public DStream<T> AsyncEnumerableStream<T>(IAsyncEnumerable<T> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Register(new ReceiverInputDStream<T>(this, new AsyncEnumerableReceiver<T>(source), nameof(AsyncEnumerableStream)));
    }

    /// <summary>An input stream of the items read from <paramref name="reader"/>; each batch holds the items read during its interval.</summary>
    /// <remarks>
    /// <para>Backpressure: the next item is read only after the previous one was stored; with a bounded channel
    /// (<see cref="Channel.CreateBounded{T}(int)"/>), a rate limit (<see cref="BackpressureOptions"/>) thus makes the
    /// channel's writers wait (or drop, per the channel's <see cref="BoundedChannelFullMode"/>).</para>
    /// <para>Cancellation: reading stops when the context stops; items left in the channel stay there.</para>
    /// <para>End and errors: completing the channel stops the receiver (later batches are empty, the context keeps
    /// running); completing it with an exception stops the receiver with that error, and
    /// <see cref="AwaitTerminationAsync"/> throws a <see cref="ReceiverException"/> carrying it.</para>
    /// <para>Reliability: items read are held in memory until their batch is cut (at most once across a crash).</para>
    /// </remarks>
    /// <param name="reader">The channel to read; this stream should be its only reader.</param>
    /// <example>
    /// <code>
    /// var channel = Channel.CreateBounded&lt;Order&gt;(1000);
    /// var orders = ssc.ChannelStream(channel.Reader);
    /// // producers: await channel.Writer.WriteAsync(order, token);
    /// </code>
    /// </example>
    public DStream<T> ChannelStream<T>(ChannelReader<T> reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return Register(new ReceiverInputDStream<T>(this, new ChannelReceiver<T>(reader), nameof(ChannelStream)));
    }

    /// <summary>
    /// An input stream of the values <paramref name="source"/> pushes: the receiver subscribes when the context
    /// starts and unsubscribes when it stops; each batch holds the values pushed during its interval. No Rx package
    /// is needed: any <see cref="IObservable{T}"/> works.
    /// </summary>
    /// <remarks>
    /// <para>Backpressure: an observable pushes, so the only way to slow it is to block its <c>OnNext</c>: with a
    /// rate limit (<see cref="BackpressureOptions"/>), <c>OnNext</c> waits on the producer's thread until the value
    /// may be stored. Without one, values are buffered in memory until their batch is cut.</para>
    /// <para>Cancellation: the subscription is disposed when the context stops; values pushed after that are not
    /// accepted.</para>
    /// <para>End and errors: <c>OnCompleted</c> stops the receiver (later batches are empty, the context keeps
    /// running); <c>OnError</c> stops it with the error, and <see cref="AwaitTerminationAsync"/> throws a
    /// <see cref="ReceiverException"/> carrying it. If <c>Subscribe</c> throws, the receiver restarts after
    /// <see cref="StreamingOptions.ReceiverRestartDelay"/> and subscribes again.</para>
    /// <para>Reliability: values are held in memory until their batch is cut (at most once across a crash).</para>
    /// </remarks>
    /// <param name="source">The observable to subscribe to.</param>
    public DStream<T> ObservableStream<T>(IObservable<T> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Register(new ReceiverInputDStream<T>(this, new ObservableReceiver<T>(source), nameof(ObservableStream)));
    }
}
