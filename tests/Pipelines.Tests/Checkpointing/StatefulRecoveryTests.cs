using System.Collections.Concurrent;
using Pipelines.Testing;

namespace Pipelines.Tests.Checkpointing;

public sealed class StatefulRecoveryTests : IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(4_000_000);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly List<string> _log = [];

    public void Dispose()
    {
    }

    [Fact]
    public async Task State_and_windows_recover_from_a_crash_to_the_outputs_of_an_uninterrupted_run()
    {
        Dictionary<string, string[]> expected;
        using (var folder = new TempFolder())
        {
            var (context, clock, outputs) = Create(folder.Path, Start, blockAt: null, reached: null);
            context.Start();
            for (var i = 1; i <= 8; i++)
            {
                Append(i);
                Step(context, clock);
            }

            await context.StopAsync();
            expected = new Dictionary<string, string[]>(outputs);
        }

        _log.Clear();
        using var checkpoints = new TempFolder();
        var reached = new TaskCompletionSource();
        var (first, firstClock, _) = Create(checkpoints.Path, Start, blockAt: new BatchTime(4_006_000), reached);
        first.Start();
        for (var i = 1; i <= 5; i++)
        {
            Append(i);
            Step(first, firstClock);
        }

        Append(6);
        firstClock.Advance(Interval);
        await reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await first.StopAsync(graceful: false);

        var (second, secondClock, recovered) = Create(checkpoints.Path, Start + TimeSpan.FromSeconds(6), blockAt: null, reached: null);
        Assert.Equal(new BatchTime(4_004_000), second.RecoveredFrom);
        second.Start();
        Assert.True(second.Scheduler!.WhenCompletedAsync(new BatchTime(4_006_000)).Wait(TimeSpan.FromSeconds(30)));
        for (var i = 7; i <= 8; i++)
        {
            Append(i);
            Step(second, secondClock);
        }

        await second.StopAsync();
        foreach (var stream in new[] { "state", "inverse", "window" })
        {
            for (var t = 4_005_000; t <= 4_008_000; t += 1000)
            {
                var key = $"{stream}@{t}";
                Assert.True(recovered.ContainsKey(key), $"No output {key}");
                Assert.Equal(expected[key], recovered[key]);
            }
        }
    }

    [Fact]
    public async Task Tuple_states_and_record_keys_round_trip_through_System_Text_Json()
    {
        using var checkpoints = new TempFolder();
        var clock = new ManualClock(Start);
        var first = StreamingContext.GetOrCreate(checkpoints.Path, () => BuildTupleState(clock, new ConcurrentDictionary<BatchTime, string[]>()));
        first.Start();
        for (var i = 1; i <= 2; i++)
        {
            Append(i);
            Step(first, clock);
        }

        await first.StopAsync(graceful: true);

        var outputs = new ConcurrentDictionary<BatchTime, string[]>();
        var secondClock = new ManualClock(Start + TimeSpan.FromSeconds(2));
        var second = StreamingContext.GetOrCreate(checkpoints.Path, () => BuildTupleState(secondClock, outputs));
        second.Start();
        Append(3);
        Step(second, secondClock);
        await second.StopAsync();

        // Lines "w1 w1 w1", "w2 w2 w0", "w3 w0 w1": w1 seen 4 times in 2 batches, w2 twice in 1, w0 twice in 2.
        Assert.Equal(
            ["Word { Text = w0 }: 2/2", "Word { Text = w1 }: 4/2", "Word { Text = w2 }: 2/1", "Word { Text = w3 }: 1/1"],
            outputs[new BatchTime(4_003_000)].Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_changed_stream_graph_fails_at_start_with_a_clear_error()
    {
        using var checkpoints = new TempFolder();
        var (first, clock, _) = Create(checkpoints.Path, Start, blockAt: null, reached: null);
        first.Start();
        Append(1);
        Step(first, clock);
        await first.StopAsync();

        var changed = StreamingContext.GetOrCreate(checkpoints.Path, () =>
        {
            var ssc = new StreamingContext(Interval, new StreamingOptions { TimeProvider = new ManualClock(Start) });
            ssc.Register(new ReplayableLogInput(ssc, _log)).Map(line => line.ToUpperInvariant()).ForEachBatch((_, _) => { });
            return ssc;
        });

        var error = Assert.Throws<CheckpointException>(changed.Start);
        Assert.Contains("different stream graph", error.Message, StringComparison.Ordinal);
        Assert.Contains("DiscardIncompatible", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_state_type_System_Text_Json_cannot_write_stops_the_context_with_a_clear_error()
    {
        using var checkpoints = new TempFolder();
        var clock = new ManualClock(Start);
        var context = StreamingContext.GetOrCreate(checkpoints.Path, () =>
        {
            var ssc = new StreamingContext(Interval, new StreamingOptions { TimeProvider = clock });
            var state = ssc.Register(new ReplayableLogInput(ssc, _log))
                .Map(line => (Key: line, Value: 1))
                .UpdateStateByKey((IReadOnlyList<int> values, Optional<Handle> handle) => Optional.Of(new Handle(new IntPtr(values.Count))));
            state.Checkpoint(Interval);
            state.ForEachBatch((_, _) => { });
            return ssc;
        });
        context.Start();
        Append(1);
        clock.Advance(Interval);

        var error = await Assert.ThrowsAsync<CheckpointException>(() => context.AwaitTerminationAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("cannot be serialized", error.Message, StringComparison.Ordinal);
        Assert.Contains("CheckpointOptions.SerializerOptions", error.Message, StringComparison.Ordinal);
        Assert.Equal(["checkpoint-4000000.bin"], Directory.GetFiles(checkpoints.Path, "checkpoint-*").Select(Path.GetFileName));
        Assert.Empty(Directory.GetFiles(checkpoints.Path, "*.tmp"));
    }

    private StreamingContext BuildTupleState(ManualClock clock, ConcurrentDictionary<BatchTime, string[]> outputs)
    {
        var ssc = new StreamingContext(Interval, new StreamingOptions { TimeProvider = clock });
        var state = ssc.Register(new ReplayableLogInput(ssc, _log))
            .FlatMap(line => line.Split(' '))
            .Map(word => (Key: new Word(word), Value: 1))
            .UpdateStateByKey((IReadOnlyList<int> values, Optional<(int Count, int Batches)> seen) =>
            {
                var (count, batches) = seen.GetValueOrDefault(default);
                return values.Count == 0 ? seen : Optional.Of((count + values.Count, batches + 1));
            });
        state.Checkpoint(TimeSpan.FromSeconds(10));
        state.ForEachBatch((batch, time) => outputs[time] = batch.Select(p => $"{p.Key}: {p.State.Count}/{p.State.Batches}").ToArray());
        return ssc;
    }

    private (StreamingContext Context, ManualClock Clock, ConcurrentDictionary<string, string[]> Outputs) Create(
        string directory, DateTimeOffset start, BatchTime? blockAt, TaskCompletionSource? reached)
    {
        var clock = new ManualClock(start);
        var outputs = new ConcurrentDictionary<string, string[]>();
        var context = StreamingContext.GetOrCreate(directory, () =>
        {
            var ssc = new StreamingContext(Interval, new StreamingOptions { TimeProvider = clock });
            var pairs = ssc.Register(new ReplayableLogInput(ssc, _log))
                .FlatMap(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Map(word => (Key: word, Value: 1));
            var state = pairs.UpdateStateByKey((IReadOnlyList<int> values, Optional<int> total) => Optional.Of(total.GetValueOrDefault(0) + values.Count));
            state.Checkpoint(TimeSpan.FromSeconds(2));
            Collect(state.Map(p => $"{p.Key}={p.State}"), "state", outputs, blockAt, reached);
            var inverse = pairs.ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, TimeSpan.FromSeconds(3), filter: p => p.Value != 0);
            inverse.Checkpoint(TimeSpan.FromSeconds(2));
            Collect(inverse.Map(p => $"{p.Key}={p.Value}"), "inverse", outputs, null, null);
            Collect(pairs.ReduceByKeyAndWindow((a, b) => a + b, TimeSpan.FromSeconds(2)).Map(p => $"{p.Key}={p.Value}"), "window", outputs, null, null);
            return ssc;
        });
        return (context, clock, outputs);
    }

    private static void Collect(DStream<string> stream, string name, ConcurrentDictionary<string, string[]> outputs, BatchTime? blockAt, TaskCompletionSource? reached) =>
        stream.ForEachBatch(async (batch, time, cancellationToken) =>
        {
            if (time == blockAt)
            {
                reached!.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            outputs[$"{name}@{time.Milliseconds}"] = batch.Order(StringComparer.Ordinal).ToArray();
        });

    /// <summary>A state System.Text.Json refuses to serialize (it holds a pointer).</summary>
    private sealed record Handle(IntPtr Value);

    /// <summary>A record key: serialized as an object, read back as the declared type.</summary>
    private sealed record Word(string Text);

    private void Append(int batch)
    {
        lock (_log)
        {
            _log.Add($"w{batch % 4} w{batch % 3} w{batch % 2}");
        }
    }

    private static void Step(StreamingContext context, ManualClock clock)
    {
        clock.Advance(Interval);
        var now = BatchTime.FromDateTimeOffset(clock.GetUtcNow());
        Assert.True(context.Scheduler!.WhenCompletedAsync(now).Wait(TimeSpan.FromSeconds(30)), $"The batch at {now} did not finish.");
    }
}
