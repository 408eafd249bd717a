using Pipelines.Testing;
using StackExchange.Redis;

namespace Pipelines.Redis.Tests;

/// <summary>The Redis sinks (hash, sorted-set top-N) against a real <c>redis-server</c>.</summary>
public sealed class RedisSinkTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task A_hash_gets_the_fields_of_each_batch_and_keeps_the_others()
    {
        var key = "counts-" + Guid.NewGuid().ToString("N")[..8];
        using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        (string, long)[][] input = [[("a", 1), ("b", 2)], [("b", 5)], []];
        StreamingTest.Run(input, pairs =>
        {
            pairs.SaveToRedisHash(connection, key, value => value);
            return pairs;
        }, numBatches: input.Length);

        var hash = (await redis.Database.HashGetAllAsync(key)).ToDictionary(e => e.Name.ToString(), e => (long)e.Value);
        Assert.Equal(new Dictionary<string, long> { ["a"] = 1, ["b"] = 5 }, hash);
    }

    [Fact]
    public async Task A_replaced_hash_holds_exactly_the_last_batch_and_a_replay_leaves_it_unchanged()
    {
        var key = "window-" + Guid.NewGuid().ToString("N")[..8];
        using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        (string, long)[][] input = [[("a", 1), ("b", 2)], [("c", 3)]];

        // Twice over the same batches: the second run is what a replay after recovery writes again.
        for (var run = 0; run < 2; run++)
        {
            StreamingTest.Run(input, pairs =>
            {
                pairs.SaveToRedisHash(connection, key, value => value, replace: true);
                return pairs;
            }, numBatches: input.Length);
        }

        var hash = (await redis.Database.HashGetAllAsync(key)).ToDictionary(e => e.Name.ToString(), e => (long)e.Value);
        Assert.Equal(new Dictionary<string, long> { ["c"] = 3 }, hash);
    }

    [Fact]
    public async Task A_sorted_set_keeps_the_live_top_n_of_each_batch()
    {
        var key = "top-" + Guid.NewGuid().ToString("N")[..8];
        using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        (string, double)[][] input =
        [
            [("apple", 5), ("birch", 9), ("cedar", 1), ("delta", 7)],
            [("apple", 8), ("ember", 2), ("fjord", 6)],
        ];
        var afterEach = new List<string[]>();
        StreamingTest.Run(input, scores =>
        {
            scores.SaveToRedisSortedSet(connection, key, keepTop: 2);
            scores.ForEachBatch((_, _) => afterEach.Add([.. redis.Database.SortedSetRangeByRank(key, order: Order.Descending).Select(m => m.ToString())]));
            return scores;
        }, numBatches: input.Length);

        Assert.Equal([["birch", "delta"], ["apple", "fjord"]], afterEach);
    }

    [Fact]
    public async Task A_top_n_of_zero_is_refused()
    {
        using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
        var scores = ssc.QueueStream<(string Member, double Score)>([]);
        Assert.Throws<ArgumentOutOfRangeException>(() => scores.SaveToRedisSortedSet(connection, "k", keepTop: 0));
    }
}
