using StackExchange.Redis;

namespace Pipelines.Redis;

/// <summary>
/// Output operations that keep a stream's keyed results in Redis: a hash of key to value, or a sorted set of members by
/// score (e.g. a live top-N). Each batch is written in one <c>MULTI</c>/<c>EXEC</c> transaction, so readers see a batch
/// whole or not at all. Values are set, never incremented, so a batch replayed after recovery writes the same
/// result again: the effect is exactly once.
/// </summary>
public static class RedisSinkExtensions
{
    /// <summary>
    /// Writes each batch's <c>(Key, Value)</c> pairs as fields of the Redis hash <paramref name="hashKey"/>. With
    /// <paramref name="replace"/>, the hash becomes exactly the batch (a snapshot, e.g. of a windowed count: keys
    /// that left the window disappear); otherwise the batch's fields are set and other fields stay (e.g. the output of
    /// <c>UpdateStateByKey</c>). An empty batch leaves the hash as it is, unless <paramref name="replace"/> (then it is deleted).
    /// </summary>
    /// <typeparam name="TValue">The type of the values.</typeparam>
    /// <param name="stream">The keyed results.</param>
    /// <param name="connection">The Redis connection (owned by the caller; dispose it after the context).</param>
    /// <param name="hashKey">The key of the hash.</param>
    /// <param name="encode">Turns a value into what Redis stores (<see cref="RedisValue"/> converts from strings and numbers).</param>
    /// <param name="replace">Replace the whole hash with each batch instead of setting its fields.</param>
    /// <example>
    /// <code>
    /// var redis = await ConnectionMultiplexer.ConnectAsync("127.0.0.1:6379");
    /// counts.SaveToRedisHash(redis, "word-counts", count => count);
    /// </code>
    /// </example>
    public static void SaveToRedisHash<TValue>(this DStream<(string Key, TValue Value)> stream, IConnectionMultiplexer connection, string hashKey, Func<TValue, RedisValue> encode, bool replace = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(hashKey);
        ArgumentNullException.ThrowIfNull(encode);
        stream.ForEachBatch(async (batch, _, _) =>
        {
            var entries = new HashEntry[batch.Count];
            for (var i = 0; i < batch.Count; i++)
            {
                entries[i] = new HashEntry(batch[i].Key, encode(batch[i].Value));
            }

            if (!replace && entries.Length == 0)
            {
                return;
            }

            var transaction = connection.GetDatabase().CreateTransaction();
            if (replace)
            {
                _ = transaction.KeyDeleteAsync(hashKey);
            }

            if (entries.Length > 0)
            {
                _ = transaction.HashSetAsync(hashKey, entries);
            }

            await CommitAsync(transaction, hashKey).ConfigureAwait(false);
        });
    }

    /// <summary>
    /// Writes each batch's <c>(Member, Score)</c> pairs into the Redis sorted set <paramref name="key"/>, replacing it
    /// (the set becomes exactly the batch), and keeps only the <paramref name="keepTop"/> highest scores when given:
    /// a live top-N that readers take with <c>ZREVRANGE key 0 N-1 WITHSCORES</c>.
    /// </summary>
    /// <param name="stream">Members and their scores, e.g. words and their counts over a window.</param>
    /// <param name="connection">The Redis connection (owned by the caller).</param>
    /// <param name="key">The key of the sorted set.</param>
    /// <param name="keepTop">How many of the highest-scored members to keep; <c>null</c> for all.</param>
    /// <example>
    /// <code>
    /// windowedCounts.Map(pair => (pair.Key, (double)pair.Value)).SaveToRedisSortedSet(redis, "top-words", keepTop: 10);
    /// </code>
    /// </example>
    public static void SaveToRedisSortedSet(this DStream<(string Member, double Score)> stream, IConnectionMultiplexer connection, string key, int? keepTop = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        if (keepTop is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(keepTop), keepTop, "Keep at least one member, or pass null to keep all.");
        }

        stream.ForEachBatch(async (batch, _, _) =>
        {
            var entries = new SortedSetEntry[batch.Count];
            for (var i = 0; i < batch.Count; i++)
            {
                entries[i] = new SortedSetEntry(batch[i].Member, batch[i].Score);
            }

            var transaction = connection.GetDatabase().CreateTransaction();
            _ = transaction.KeyDeleteAsync(key);
            if (entries.Length > 0)
            {
                _ = transaction.SortedSetAddAsync(key, entries);
                if (keepTop is { } top)
                {
                    // Ranks are lowest score first: remove all but the last 'top'.
                    _ = transaction.SortedSetRemoveRangeByRankAsync(key, 0, -(top + 1));
                }
            }

            await CommitAsync(transaction, key).ConfigureAwait(false);
        });
    }

    private static async Task CommitAsync(ITransaction transaction, string key)
    {
        if (!await transaction.ExecuteAsync().ConfigureAwait(false))
        {
            throw new RedisException($"The Redis transaction writing '{key}' was not committed; the batch's output fails and runs again after a restart from the checkpoint.");
        }
    }
}
