using System.Globalization;
using Pipelines.Messaging.Testing;
using StackExchange.Redis;

namespace Pipelines.Redis.Tests;

/// <summary>The Redis Streams receiver against a real <c>redis-server</c>.</summary>
public sealed class RedisStreamTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Every_entry_arrives_once_and_the_group_has_nothing_pending_afterwards()
    {
        var stream = NewName("all");
        await AddAsync(stream, Enumerable.Range(0, 600).Select(Record));
        using var checkpoints = new TempFolder();
        var collected = new CollectedRecords<string>();
        await using (var ssc = Checkpointed(checkpoints, collected, stream))
        {
            ssc.Start();
            await collected.WaitUntilAsync(records => records.Count >= 600);
            await ssc.StopAsync(graceful: true);
        }

        Assert.Equal(Enumerable.Range(0, 600).Select(Record), collected.Records.Order(StringComparer.Ordinal));
        Assert.Empty(collected.Errors);
        var pending = await redis.Database.StreamPendingAsync(stream, "pipelines");
        Assert.Equal(0, pending.PendingMessageCount);
    }

    [Fact]
    public async Task Entries_delivered_before_a_crash_and_never_acknowledged_are_read_again()
    {
        var stream = NewName("pending");
        await AddAsync(stream, Enumerable.Range(0, 50).Select(Record));
        await redis.Database.StreamCreateConsumerGroupAsync(stream, "pipelines", StreamPosition.Beginning);

        // A reader that died after XREADGROUP and before XACK: the group holds 20 entries pending for "app".
        var delivered = await redis.Database.StreamReadGroupAsync(stream, "pipelines", "app", StreamPosition.NewMessages, 20);
        Assert.Equal(20, delivered.Length);

        using var checkpoints = new TempFolder();
        var collected = new CollectedRecords<string>();
        await using (var ssc = Checkpointed(checkpoints, collected, stream))
        {
            ssc.Start();
            await collected.WaitUntilAsync(records => records.Count >= 50);
            await ssc.StopAsync(graceful: true);
        }

        Assert.Equal(Enumerable.Range(0, 50).Select(Record), collected.Records.Order(StringComparer.Ordinal));
        Assert.Equal(0, (await redis.Database.StreamPendingAsync(stream, "pipelines")).PendingMessageCount);
    }

    [Fact]
    public async Task A_poison_entry_is_reported_with_its_id_acknowledged_and_skipped_and_the_stream_goes_on()
    {
        var stream = NewName("poison");
        await AddAsync(stream, Enumerable.Range(0, 10).Select(Record));
        var poison = await redis.Database.StreamAddAsync(stream, "other", "no data field here");
        await AddAsync(stream, Enumerable.Range(10, 10).Select(Record));

        using var checkpoints = new TempFolder();
        var collected = new CollectedRecords<string>();
        await using (var ssc = Checkpointed(checkpoints, collected, stream))
        {
            ssc.Start();
            await collected.WaitUntilAsync(records => records.Count >= 20);
            await ssc.StopAsync(graceful: true);
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(Record), collected.Records.Order(StringComparer.Ordinal));
        var error = Assert.Single(collected.Errors);
        Assert.Contains(poison.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("no field 'data'", error.Error!.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidDataException>(error.Error);
        Assert.Equal(0, (await redis.Database.StreamPendingAsync(stream, "pipelines")).PendingMessageCount);
    }

    [Fact]
    public async Task A_server_restart_mid_stream_loses_no_entry()
    {
        await using var own = new RedisServer();
        await own.InitializeAsync();
        var stream = NewName("restart");
        await AddAsync(own.Database, stream, Enumerable.Range(0, 300).Select(Record));
        using var checkpoints = new TempFolder();
        var collected = new CollectedRecords<string>();
        await using (var ssc = Checkpointed(checkpoints, collected, stream, own.Configuration))
        {
            ssc.Start();
            await collected.WaitUntilAsync(records => records.Count >= 300);
            await own.RestartAsync();
            await AddAsync(own.Database, stream, Enumerable.Range(300, 300).Select(Record));
            await collected.WaitUntilAsync(records => records.Distinct().Count() >= 600, () => own.Server.Log);
            await ssc.StopAsync(graceful: true);
        }

        // At-least-once: an entry read before the restart and acknowledged after it may come twice, none is missing.
        Assert.Equal(Enumerable.Range(0, 600).Select(Record), collected.Records.Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Options_are_checked_when_the_stream_is_defined()
    {
        var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ssc.RedisStream(new RedisStreamOptions { Configuration = "x", Stream = "s", Group = "g", BatchSize = 0 }));
        Assert.Throws<ArgumentException>(() => ssc.RedisStream(new RedisStreamOptions { Configuration = "x", Stream = " ", Group = "g" }));
    }

    internal static string Record(int id) => string.Create(CultureInfo.InvariantCulture, $"r{id:D6}");

    private static string NewName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private Task AddAsync(string stream, IEnumerable<string> records) => AddAsync(redis.Database, stream, records);

    private static async Task AddAsync(IDatabase database, string stream, IEnumerable<string> records)
    {
        foreach (var record in records)
        {
            await database.StreamAddAsync(stream, "data", record);
        }
    }

    private StreamingContext Checkpointed(TempFolder checkpoints, CollectedRecords<string> collected, string stream, string? configuration = null)
    {
        var ssc = StreamingContext.GetOrCreate(
            checkpoints.Path,
            () =>
            {
                var ssc = new StreamingContext(TimeSpan.FromMilliseconds(100), new StreamingOptions { ReceiverRestartDelay = TimeSpan.FromMilliseconds(100), Listeners = [collected] });
                collected.Attach(ssc.RedisStream(new RedisStreamOptions { Configuration = configuration ?? redis.Configuration, Stream = stream, Group = "pipelines", Consumer = "app", BatchSize = 64 }));
                return ssc;
            },
            new CheckpointOptions { ReceiverWriteAheadLog = true });
        return ssc;
    }
}
