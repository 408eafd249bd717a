using Pipelines.Benchmarks.WindowedWordCount;

namespace Pipelines.Benchmarks.Tests;

/// <summary>
/// W7: every contender (hand loop, System.Reactive, R3, Akka.Streams, TPL Dataflow, Pipelines interpreted and
/// compiled) outputs, at every batch, exactly the word counts of the last 10 batches, computed here
/// independently by recounting the window.
/// </summary>
public sealed class WindowedWordCountTests : IDisposable
{
    private readonly WindowedWordCountBenchmarks _benchmarks = new();

    public static TheoryData<string> Contenders() => [.. WindowedWordCountBenchmarks.ContenderNames];

    [Theory]
    [MemberData(nameof(Contenders))]
    public void W7_contender_outputs_the_recounted_window_at_every_batch(string contender)
    {
        // 25 batches of 8 lines over a 500-word Zipf vocabulary: rare words enter, leave and come back, so counts return to zero.
        var batches = SmallData();
        _benchmarks.StartActorSystem();
        var sink = new TableSink();

        _benchmarks.Run(contender, batches, sink);

        var expected = Recount(batches, WindowedWordCountPipeline.Window);
        Assert.Equal(expected.Count, sink.Windows.Count);
        for (var t = 0; t < expected.Count; t++)
        {
            Assert.Equal(expected[t], sink.Windows[t]);
        }
    }

    [Fact]
    public void W7_recount_sees_words_leave_the_window()
    {
        var batches = SmallData();
        var windows = Recount(batches, WindowedWordCountPipeline.Window);
        var left = 0;
        for (var t = 1; t < windows.Count; t++)
        {
            left += windows[t - 1].Keys.Count(word => !windows[t].ContainsKey(word));
        }

        Assert.True(left > 0, "The small input must make some word's window count drop to zero, or the filter is untested.");
    }

    [Fact]
    public void W7_every_contender_agrees_on_the_full_data_and_every_benchmark_returns_the_agreed_checksum()
    {
        _benchmarks.Setup();
        Assert.NotEqual(0, _benchmarks.Expected);
        Assert.Equal(_benchmarks.Expected, _benchmarks.Hand());
        Assert.Equal(_benchmarks.Expected, _benchmarks.Rx());
        Assert.Equal(_benchmarks.Expected, _benchmarks.R3());
        Assert.Equal(_benchmarks.Expected, _benchmarks.Akka());
        Assert.Equal(_benchmarks.Expected, _benchmarks.Dataflow());
        Assert.Equal(_benchmarks.Expected, _benchmarks.Interpreted());
        Assert.Equal(_benchmarks.Expected, _benchmarks.Compiled());
    }

    public void Dispose() => _benchmarks.Dispose();

    private static string[][] SmallData() => WindowedWordCountBenchmarks.Data(batches: 25, linesPerBatch: 8, vocabularySize: 500);

    /// <summary>The definition of the output: at batch t, the counts of every word in batches t-window+1..t.</summary>
    private static List<SortedDictionary<string, int>> Recount(string[][] batches, int window)
    {
        var windows = new List<SortedDictionary<string, int>>();
        for (var t = 0; t < batches.Length; t++)
        {
            var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
            for (var b = Math.Max(0, t - window + 1); b <= t; b++)
            {
                foreach (var line in batches[b])
                {
                    foreach (var word in line.Split(' '))
                    {
                        counts[word] = counts.GetValueOrDefault(word) + 1;
                    }
                }
            }

            windows.Add(counts);
        }

        return windows;
    }
}
