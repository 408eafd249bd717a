using StackExchange.Redis;

namespace Pipelines.Redis;

/// <summary>Input streams that read Redis streams.</summary>
public static class RedisStreamingContextExtensions
{
    /// <summary>
    /// An input stream of the <see cref="RedisStreamOptions.Field"/> values of a Redis stream's entries, read through
    /// a consumer group. Entries are acknowledged (<c>XACK</c>) only once their block is stored: with
    /// <see cref="CheckpointOptions.ReceiverWriteAheadLog"/>, once it is in the write-ahead log on disk, so that no
    /// acknowledged entry is lost in a crash and unacknowledged ones are read again (at-least-once; an entry may be
    /// seen twice after a crash). An entry without the field (a poison entry) is reported to the listeners
    /// (<see cref="IStreamingListener.OnReceiverError"/>), acknowledged and skipped; the stream goes on. A lost
    /// connection (e.g. a server restart) restarts the receiver after <see cref="StreamingOptions.ReceiverRestartDelay"/>.
    /// </summary>
    /// <param name="context">The streaming context.</param>
    /// <param name="options">The server, stream, group and consumer.</param>
    /// <example>
    /// <code>
    /// await using var ssc = StreamingContext.GetOrCreate("checkpoints", () =>
    /// {
    ///     var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
    ///     ssc.RedisStream(new RedisStreamOptions { Configuration = "127.0.0.1:6379", Stream = "events", Group = "pipelines" })
    ///        .Print();
    ///     return ssc;
    /// }, new CheckpointOptions { ReceiverWriteAheadLog = true });
    /// ssc.Start();
    /// </code>
    /// </example>
    public static DStream<string> RedisStream(this StreamingContext context, RedisStreamOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var field = options.Field;
        var stream = options.Stream;
        return context.RedisStream(options, entry =>
        {
            var value = entry[field];
            return value.IsNull
                ? throw new InvalidDataException($"The entry has no field '{field}' (fields: {string.Join(", ", entry.Values.Select(v => v.Name.ToString()))}); write the record into field '{field}' of stream '{stream}', or set RedisStreamOptions.Field.")
                : value.ToString();
        });
    }

    /// <summary>
    /// An input stream of a Redis stream's entries turned into records by <paramref name="decode"/>, read through a
    /// consumer group with the guarantees of <see cref="RedisStream(StreamingContext, RedisStreamOptions)"/>. An entry
    /// <paramref name="decode"/> throws on is reported, acknowledged and skipped.
    /// </summary>
    /// <typeparam name="T">The type of the records (written to the write-ahead log with System.Text.Json).</typeparam>
    /// <param name="context">The streaming context.</param>
    /// <param name="options">The server, stream, group and consumer.</param>
    /// <param name="decode">Turns an entry into a record; throws on an entry it cannot read.</param>
    public static DStream<T> RedisStream<T>(this StreamingContext context, RedisStreamOptions options, Func<StreamEntry, T> decode)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(decode);
        options.Validate();
        return context.ReceiverStream(new RedisStreamReceiver<T>(options, decode));
    }
}
