using StackExchange.Redis;

namespace Pipelines.Redis;

/// <summary>
/// A reliable receiver of a Redis stream through a consumer group: each <c>XREADGROUP</c> result is decoded, stored
/// as one block with <see cref="Receiver{T}.StoreAsync"/> (in the write-ahead log on disk when the context checkpoints
/// with <see cref="CheckpointOptions.ReceiverWriteAheadLog"/>), and only then acknowledged with <c>XACK</c>. On each
/// start it first reads the entries the group delivered to this consumer and that were never acknowledged (a crash
/// between the read and the acknowledgement), then new entries: at-least-once.
/// </summary>
/// <typeparam name="T">The type of the records.</typeparam>
internal sealed class RedisStreamReceiver<T>(RedisStreamOptions options, Func<StreamEntry, T> decode) : Receiver<T>
{
    private ConnectionMultiplexer? _connection;

    public override string? SourceIdentity => $"redis-stream:{options.Stream}/{options.Group}";

    public override void OnStart() => StartWorker(ReceiveAsync);

    public override void OnStop()
    {
        Interlocked.Exchange(ref _connection, null)?.Dispose();
    }

    private async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        var configuration = ConfigurationOptions.Parse(options.Configuration);
        configuration.AbortOnConnectFail = true;
        var connection = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        if (Interlocked.CompareExchange(ref _connection, connection, null) is not null || cancellationToken.IsCancellationRequested)
        {
            connection.Dispose();
            return;
        }

        var database = connection.GetDatabase();
        await CreateGroupAsync(database).ConfigureAwait(false);

        // First what was delivered to this consumer before and never acknowledged, then what is new.
        RedisValue position = "0-0";
        while (!cancellationToken.IsCancellationRequested)
        {
            var entries = await database.StreamReadGroupAsync(options.Stream, options.Group, options.Consumer, position, options.BatchSize).ConfigureAwait(false);
            if (entries.Length == 0)
            {
                if (position != StreamPosition.NewMessages)
                {
                    position = StreamPosition.NewMessages;
                    continue;
                }

                await Task.Delay(options.PollInterval, TimeProvider, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (position != StreamPosition.NewMessages)
            {
                position = entries[^1].Id;
            }

            var block = new List<T>(entries.Length);
            var ids = new RedisValue[entries.Length];
            for (var i = 0; i < entries.Length; i++)
            {
                ids[i] = entries[i].Id;
                if (TryDecode(entries[i], out var record))
                {
                    block.Add(record);
                }
            }

            // Acknowledged only once the block is in the write-ahead log: a crash before XACK reads them again.
            await StoreAsync(block, cancellationToken).ConfigureAwait(false);
            await database.StreamAcknowledgeAsync(options.Stream, options.Group, ids).ConfigureAwait(false);
        }
    }

    private async Task CreateGroupAsync(IDatabase database)
    {
        try
        {
            await database.StreamCreateConsumerGroupAsync(options.Stream, options.Group, StreamPosition.Beginning, createStream: true).ConfigureAwait(false);
        }
        catch (RedisServerException error) when (error.Message.Contains("BUSYGROUP", StringComparison.Ordinal))
        {
            // The group exists: keep its position.
        }
    }

    private bool TryDecode(StreamEntry entry, out T record)
    {
        try
        {
            record = decode(entry);
            return true;
        }
        catch (Exception error)
        {
            // A poison entry: reported, acknowledged with its block and skipped, so that it does not stop the stream.
            ReportError(
                $"Redis stream '{options.Stream}' entry {entry.Id} could not be decoded and is skipped (acknowledged in group '{options.Group}'): {error.Message}",
                new InvalidDataException($"Redis stream '{options.Stream}' entry {entry.Id} could not be decoded: {error.Message}", error));
            record = default!;
            return false;
        }
    }
}
