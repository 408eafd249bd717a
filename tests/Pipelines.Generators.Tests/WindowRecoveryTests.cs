using System.Collections.Concurrent;
using Pipelines.Generators.Tests.Compiled;
using Pipelines.Testing;

namespace Pipelines.Generators.Tests;

/// <summary>
/// A compiled (fused) window checkpointed and restored mid-window continues exactly as a run without the restart,
/// and as the interpreted definition. (A checkpoint written by <c>Define</c> is refused by <c>Compile</c> and the
/// other way round by design: the compiled path registers the definition's fingerprint, the interpreted one does not.)
/// </summary>
public sealed class WindowRecoveryTests : IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(5_000_000);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly string[][] Files =
    [
        ["a b a", "c"], ["b b", "d a"], ["a", "e e e"], ["c d", "b"], [], ["a a", "f"], [], [],
    ];

    private readonly string _root = Path.Combine(Path.GetTempPath(), "pipelines-window-recovery-" + Guid.NewGuid().ToString("N"));

    private string Input => Path.Combine(_root, "input");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Theory]
    [InlineData(false, false, 2)]
    [InlineData(false, false, 3)]
    [InlineData(false, false, 5)]
    [InlineData(true, true, 3)]
    public async Task Fused_incremental_window_restored_mid_window_continues_as_an_uninterrupted_run(bool firstInterpreted, bool secondInterpreted, int stopAfter)
    {
        var expected = await RunAsync(Path.Combine(_root, "reference"), [(false, Files.Length)]);
        var interpreted = await RunAsync(Path.Combine(_root, "interpreted"), [(true, Files.Length)]);
        var restarted = await RunAsync(Path.Combine(_root, "restarted"), [(firstInterpreted, stopAfter), (secondInterpreted, Files.Length - stopAfter)]);

        Assert.Equal(Files.Length, expected.Count);
        Assert.Equal(Render(expected), Render(interpreted));
        Assert.Equal(Render(expected), Render(restarted));
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
                var window = interpreted ? WindowPipelines.DefineWordWindowIncremental(lines) : WindowPipelines.CompileWordWindowIncremental(lines);
                window.Checkpoint(Interval);
                window.ForEachBatch((batch, time) => outputs[time.Milliseconds] = string.Join(" ", batch.Select(p => $"{p.Key}={p.Value}").Order(StringComparer.Ordinal)));
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
                Assert.True(SpinWait.SpinUntil(() => outputs.ContainsKey(time), TimeSpan.FromSeconds(60)), $"The batch at {time} ms produced no window.");
            }

            await context.StopAsync(graceful: true);
            now = clock.GetUtcNow();
        }

        return new SortedDictionary<long, string>(outputs);
    }

    private static string Render(SortedDictionary<long, string> outputs) => string.Join("\n", outputs.Select(o => $"{o.Key - Start.ToUnixTimeMilliseconds()}: {o.Value}"));
}
