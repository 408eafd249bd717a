using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Pipelines.Checkpointing;
using Pipelines.Testing;

namespace Pipelines.Tests.Checkpointing;

/// <summary>
/// Checkpoints whose checksum is valid but whose content cannot be restored are treated like damaged ones (a
/// warning naming the file and the reason, then the previous checkpoint); a checkpoint written while an input read
/// another source is refused like a changed definition.
/// </summary>
public sealed class RestoreFallbackTests : IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(9_000_000);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);
    private readonly TempFolder _folder = new();
    private readonly ConcurrentDictionary<BatchTime, string[]> _outputs = new();

    public void Dispose() => _folder.Dispose();

    private string Checkpoints => _folder.Combine("checkpoint");

    public static TheoryData<string, string> Damages => new()
    {
        { "null key", "null key" },
        { "short entry", "2 field(s)" },
        { "wrong field type", "Number" },
        { "state of another type", "System.Int32" },
        { "pending before the checkpoint", "impossible" },
        { "pending off the batch grid", "impossible" },
        { "a million pending batches", "1000000 pending batches" },
        { "stream data missing", "no data for the stream" },
    };

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task A_newest_checkpoint_whose_content_cannot_be_restored_falls_back_to_the_previous_one(string damage, string reason)
    {
        await RunThreeBatchesAsync();
        var newest = CheckpointPath(9_003_000);
        Damage(newest, damage);

        var warnings = new WarningCollector();
        var (context, clock) = Create(Start + (3 * Interval), [["c"]], warnings);
        context.Start();
        Assert.Equal(new BatchTime(9_002_000), context.RecoveredFrom);

        // The queue cannot replay: the batch at 3000 runs again without its records, then the next one adds "c".
        Step(context, clock, new BatchTime(9_004_000));
        await context.StopAsync();
        Assert.Equal(["a=2", "b=1", "c=1"], _outputs[new BatchTime(9_004_000)]);
        var warning = Assert.Single(warnings.Warnings, w => w.Contains("checkpoint-9003000.bin", StringComparison.Ordinal));
        Assert.Contains(reason, warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_changed_state_type_fails_listing_every_checkpoint_and_DiscardIncompatible_starts_fresh()
    {
        await RunThreeBatchesAsync();

        var (refused, _) = Create(Start + (3 * Interval), [["c"]], stringState: true);
        var error = Assert.Throws<CheckpointException>(refused.Start);
        foreach (var time in new[] { 9_001_000, 9_002_000, 9_003_000 })
        {
            Assert.Contains($"'checkpoint-{time}.bin'", error.Message, StringComparison.Ordinal);
        }

        Assert.Contains("cannot be restored", error.Message, StringComparison.Ordinal);
        Assert.Contains("DiscardIncompatible", error.Message, StringComparison.Ordinal);
        await refused.DisposeAsync();

        var (fresh, clock) = Create(Start + (3 * Interval), [["c"]], options: new CheckpointOptions { DiscardIncompatible = true }, stringState: true);
        fresh.Start();
        Assert.Null(fresh.RecoveredFrom);
        Step(fresh, clock, new BatchTime(9_004_000));
        await fresh.StopAsync();
        Assert.Equal(["c=1"], _outputs[new BatchTime(9_004_000)]);
    }

    [Fact]
    public async Task When_no_checkpoint_can_be_restored_the_error_lists_every_file_and_its_problem()
    {
        await RunThreeBatchesAsync();
        Damage(CheckpointPath(9_003_000), "null key");
        Damage(CheckpointPath(9_002_000), "short entry");
        Damage(CheckpointPath(9_001_000), "pending before the checkpoint");

        var (context, _) = Create(Start + (3 * Interval), []);
        var error = Assert.Throws<CheckpointException>(context.Start);
        await context.DisposeAsync();

        Assert.Contains("'checkpoint-9003000.bin'", error.Message, StringComparison.Ordinal);
        Assert.Contains("null key", error.Message, StringComparison.Ordinal);
        Assert.Contains("'checkpoint-9002000.bin'", error.Message, StringComparison.Ordinal);
        Assert.Contains("2 field(s)", error.Message, StringComparison.Ordinal);
        Assert.Contains("'checkpoint-9001000.bin'", error.Message, StringComparison.Ordinal);
        Assert.Contains("impossible", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restarting_on_another_folder_is_refused_like_a_changed_definition_and_DiscardIncompatible_starts_fresh()
    {
        var first = _folder.Combine("in-first");
        var second = _folder.Combine("in-second");
        Directory.CreateDirectory(first);
        Directory.CreateDirectory(second);
        var (context, clock) = CreateFileCount(first, Start, options: null);
        context.Start();
        Step(context, clock, new BatchTime(9_001_000));
        await context.StopAsync();

        var (moved, _) = CreateFileCount(second, Start + Interval, options: null);
        var error = Assert.Throws<CheckpointException>(moved.Start);
        await moved.DisposeAsync();
        Assert.Contains("file://" + first, error.Message, StringComparison.Ordinal);
        Assert.Contains("file://" + second, error.Message, StringComparison.Ordinal);
        Assert.Contains("DiscardIncompatible", error.Message, StringComparison.Ordinal);

        var (fresh, _) = CreateFileCount(second, Start + Interval, new CheckpointOptions { DiscardIncompatible = true });
        fresh.Start();
        Assert.Null(fresh.RecoveredFrom);
        await fresh.StopAsync();
    }

    [Fact]
    public async Task Restarting_a_socket_stream_on_another_port_is_refused()
    {
        using var firstServer = new TcpListener(IPAddress.Loopback, 0);
        using var secondServer = new TcpListener(IPAddress.Loopback, 0);
        firstServer.Start();
        secondServer.Start();
        var firstPort = ((IPEndPoint)firstServer.LocalEndpoint).Port;
        var secondPort = ((IPEndPoint)secondServer.LocalEndpoint).Port;

        StreamingContext Create(int port, DateTimeOffset at) => StreamingContext.GetOrCreate(Checkpoints, () =>
        {
            var ssc = new StreamingContext(Interval, new StreamingOptions { TimeProvider = new ManualClock(at) });
            ssc.SocketTextStream("127.0.0.1", port).ForEachBatch((_, _) => { });
            return ssc;
        });

        var context = Create(firstPort, Start);
        context.Start();
        await context.StopAsync();

        var same = Create(firstPort, Start);
        same.Start();
        Assert.Equal(new BatchTime(9_000_000), same.RecoveredFrom);
        await same.StopAsync();

        var moved = Create(secondPort, Start);
        var error = Assert.Throws<CheckpointException>(moved.Start);
        await moved.DisposeAsync();
        Assert.Contains($"socket://127.0.0.1:{firstPort}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"socket://127.0.0.1:{secondPort}", error.Message, StringComparison.Ordinal);
    }

    private async Task RunThreeBatchesAsync()
    {
        var (context, clock) = Create(Start, [["a", "b"], ["a"], []]);
        context.Start();
        for (var t = 1; t <= 3; t++)
        {
            Step(context, clock, new BatchTime(9_000_000 + (t * 1000)));
        }

        await context.StopAsync();
        Assert.Equal(["a=2", "b=1"], _outputs[new BatchTime(9_003_000)]);
        Assert.Equal([9_003_000L, 9_002_000L, 9_001_000L], Directory.GetFiles(Checkpoints, "checkpoint-*.bin").Select(CheckpointTime).OrderDescending());
        _outputs.Clear();
    }

    /// <summary>A running count per word, its state kept as an int (or, for a changed state type, as a string).</summary>
    private (StreamingContext Context, ManualClock Clock) Create(DateTimeOffset at, string[][] batches, WarningCollector? warnings = null, CheckpointOptions? options = null, bool stringState = false)
    {
        var clock = new ManualClock(at);
        var context = StreamingContext.GetOrCreate(Checkpoints, () =>
        {
            var ssc = new StreamingContext(Interval, new StreamingOptions
            {
                TimeProvider = clock,
                LoggerFactory = warnings ?? (Microsoft.Extensions.Logging.ILoggerFactory)Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
            });
            var words = ssc.QueueStream(batches).Map(word => (word, 1));
            DStream<string> lines;
            if (stringState)
            {
                var counts = words.UpdateStateByKey((IReadOnlyList<int> ones, Optional<string> total) =>
                    Optional.Of((ones.Count + int.Parse(total.GetValueOrDefault("0"), System.Globalization.CultureInfo.InvariantCulture)).ToString(System.Globalization.CultureInfo.InvariantCulture)));
                counts.Checkpoint(Interval);
                lines = counts.Map(p => $"{p.Key}={p.State}");
            }
            else
            {
                var counts = words.UpdateStateByKey((IReadOnlyList<int> ones, Optional<int> total) => Optional.Of(ones.Count + total.GetValueOrDefault(0)));
                counts.Checkpoint(Interval);
                lines = counts.Map(p => $"{p.Key}={p.State}");
            }

            lines.ForEachBatch((batch, time) => _outputs[time] = batch.ToArray().Order(StringComparer.Ordinal).ToArray());
            return ssc;
        }, options ?? new CheckpointOptions { RetainedCheckpoints = 3 });
        return (context, clock);
    }

    private (StreamingContext Context, ManualClock Clock) CreateFileCount(string input, DateTimeOffset at, CheckpointOptions? options)
    {
        var clock = new ManualClock(at);
        var context = StreamingContext.GetOrCreate(Checkpoints, () =>
        {
            var ssc = new StreamingContext(Interval, new StreamingOptions { TimeProvider = clock });
            ssc.TextFileStream(input).ForEachBatch((batch, time) => _outputs[time] = batch.ToArray());
            return ssc;
        }, options);
        return (context, clock);
    }

    /// <summary>Rewrites a checkpoint with damaged content and a valid checksum.</summary>
    private static void Damage(string path, string damage)
    {
        Assert.True(CheckpointFile.TryRead(path, out var payload, out var problem), problem);
        var root = JsonNode.Parse(payload)!.AsObject();
        var state = root["streams"]!.AsObject().Single().Value!.AsObject();
        var entries = state["entries"]!.AsArray();
        var time = root["timeMs"]!.GetValue<long>();
        switch (damage)
        {
            case "null key":
                entries[0]![0] = null;
                break;
            case "short entry":
                entries[0]!.AsArray().RemoveAt(2);
                break;
            case "wrong field type":
                entries[0]![2] = "soon";
                break;
            case "state of another type":
                entries[0]![1] = "many";
                break;
            case "pending before the checkpoint":
                root["pending"] = new JsonArray(time - 1000);
                break;
            case "pending off the batch grid":
                root["pending"] = new JsonArray(time + 500);
                break;
            case "a million pending batches":
                root["pending"] = new JsonArray(Enumerable.Range(1, 1_000_000).Select(i => (JsonNode)JsonValue.Create(time + (i * 1000L))).ToArray());
                break;
            case "stream data missing":
                root["streams"] = new JsonObject();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(damage), damage, "unknown damage");
        }

        CheckpointFile.WriteAtomically(path, Encoding.UTF8.GetBytes(root.ToJsonString()));
    }

    private string CheckpointPath(long time) => Path.Combine(Checkpoints, $"checkpoint-{time}.bin");

    private static long CheckpointTime(string path) => long.Parse(Path.GetFileNameWithoutExtension(path)["checkpoint-".Length..], System.Globalization.CultureInfo.InvariantCulture);

    private static void Step(StreamingContext context, ManualClock clock, BatchTime time)
    {
        clock.Advance(Interval);
        Assert.True(context.Scheduler!.WhenCompletedAsync(time).Wait(HangGuard), $"The batch at {time} did not finish.");
    }
}
