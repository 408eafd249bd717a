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
