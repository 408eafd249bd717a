using System.Collections.Concurrent;
using System.Globalization;
using Pipelines.Generators.Tests.Compiled;
using Pipelines.Testing;
using static Pipelines.Tests.EventTime.EventTimeTestData;

namespace Pipelines.Generators.Tests;

/// <summary>
/// A compiled (fused) session window checkpointed and restarted while sessions are open continues exactly as a run
/// without the restart, and as the interpreted definition: the open sessions, the watermark and the late count
/// survive. (A checkpoint of <c>Define</c> is refused by <c>Compile</c> by design: the fingerprints differ.)
/// </summary>
public sealed class SessionRecoveryTests : IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(7_000_000);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Per batch, lines of "key@second=value": sessions of a and b open across several batches, c bridges two sessions, late records.</summary>
    private static readonly string[][] Files =
    [
        ["a@1=1 b@2=10", "a@3=2"], ["a@4=3 c@4=1"], ["b@5=20 c@8=2", "a@2=4"], ["c@6=3 a@6=5"], ["b@14=30 a@1=99"],
        ["a@15=6", "b@3=99"], [], ["c@20=4 a@17=7 b@10=99"], [], ["b@30=40"], [], [],
    ];

    private readonly string _root = Path.Combine(Path.GetTempPath(), "pipelines-session-recovery-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(8)]
    public async Task Compiled_sessions_restored_mid_session_continue_as_an_uninterrupted_run(int stopAfter)
    {
        var expected = await RunAsync(Path.Combine(_root, "reference"), [(false, Files.Length)]);
        var interpreted = await RunAsync(Path.Combine(_root, "interpreted"), [(true, Files.Length)]);
        var restarted = await RunAsync(Path.Combine(_root, "restarted"), [(false, stopAfter), (false, Files.Length - stopAfter)]);

        Assert.Equal(Files.Length, expected.Count);
        Assert.Equal(Render(expected), Render(interpreted));
        Assert.Equal(Render(expected), Render(restarted));
        Assert.Contains(expected.Values, v => v.Contains("[1,9) a=15", StringComparison.Ordinal)); // a@1..a@6 merged across batches
        Assert.Contains(expected.Values, v => v.EndsWith("late=3", StringComparison.Ordinal));
    }

    /// <summary>Runs the files through contexts one after the other on one checkpoint folder, each for its number of batches.</summary>
    private async Task<SortedDictionary<long, string>> RunAsync(string folder, (bool Interpreted, int Batches)[] runs)
    {
        var input = Path.Combine(folder, "input");
        Directory.CreateDirectory(input);
        var outputs = new ConcurrentDictionary<long, string>();
        var next = 0;
        var now = Start;
        foreach (var (interpreted, batches) in runs)
        {
            var clock = new ManualClock(now);
            var context = StreamingContext.GetOrCreate(Path.Combine(folder, "checkpoint"), () =>
            {
                var ssc = new StreamingContext(Interval, new StreamingOptions { TimeProvider = clock });
                var lines = ssc.TextFileStream(input);
                var sessions = Assert.IsAssignableFrom<EventTimeAggregateDStream<EventWindow<string, int>, (string Key, int Value)>>(
                    interpreted ? SessionPropertyPipelines.DefineSessionsFromLines(lines) : SessionPropertyPipelines.CompileSessionsFromLines(lines));
                sessions.Checkpoint(Interval);
                sessions.ForEachBatch((batch, time) => outputs[time.Milliseconds] =
                    string.Join(" ", batch.Select(Show).Order(StringComparer.Ordinal)) + " late=" + sessions.LateRecordCount.ToString(CultureInfo.InvariantCulture));
                return ssc;
            });
            context.Start();
            for (var b = 0; b < batches; b++, next++)
            {
                var path = Path.Combine(input, $"{next:D3}.txt");
                File.WriteAllLines(path + ".tmp", Files[next]);
                File.Move(path + ".tmp", path);
                clock.Advance(Interval);
                var time = BatchTime.FromDateTimeOffset(clock.GetUtcNow()).Milliseconds;
                Assert.True(SpinWait.SpinUntil(() => outputs.ContainsKey(time), TimeSpan.FromSeconds(60)), $"The batch at {time} ms produced no output.");
            }

            await context.StopAsync(graceful: true);
            now = clock.GetUtcNow();
        }

        return new SortedDictionary<long, string>(outputs);
    }

    private static string Render(SortedDictionary<long, string> outputs) => string.Join("\n", outputs.Select(o => $"{o.Key - Start.ToUnixTimeMilliseconds()}: {o.Value}"));
}
