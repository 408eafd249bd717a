using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Pipelines.ScaleOut.Tests;

/// <summary>
/// The repartition topic: a word count over lines whose partitions are not by word (every partition holds every word),
/// so each word's records must meet in one place. One instance alone is the reference; then 3 instances as separate
/// processes, one SIGKILLed at a seeded moment and a fourth started later, must write the same multiset, and the last
/// running totals must equal the words' counts in the whole input (computed here from the lines).
/// </summary>
public sealed class RepartitionTests(ITestOutputHelper output)
{
    private const int Partitions = 8;
    private const int PerPartition = 300;
    private const int BatchMs = 200;
    private const int MaxRecords = 20; // 15 batches per partition
    private const int SessionMs = 3000;

    [Fact]
    public async Task A_word_count_over_lines_not_partitioned_by_word_on_three_instances_through_a_SIGKILL_writes_what_one_process_writes()
    {
        using var kit = new ScaleOutTestKit();
        kit.Cluster.CreateTopic("lines", Partitions);
        kit.ProduceLines("lines", Partitions, PerPartition);
        var expected = Enumerable.Range(0, Partitions)
            .SelectMany(p => Enumerable.Range(0, PerPartition).SelectMany(i => ScaleOutTestKit.Line(p, i)))
            .GroupBy(w => w, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);

        var watch = Stopwatch.StartNew();
        string[] reference;
        string soloLog;
        using (var solo = Instances(kit, "wc-solo"))
        {
            solo.Start("solo-1");
            await WaitForLastWindowAsync(kit, solo);
            await solo.WaitUntilDoneAsync(kit, Partitions, PerPartition);
            await solo.StopAllAsync();
            reference = Values(kit, solo.OutputTopic);
            soloLog = solo.Log;
            output.WriteLine($"single process: {reference.Length} output records in {watch.Elapsed.TotalSeconds:F1} s");
        }

        Assert.True(Totals(reference).OrderBy(t => t.Key, StringComparer.Ordinal).SequenceEqual(expected.OrderBy(t => t.Key, StringComparer.Ordinal)), $"totals {string.Join(", ", Totals(reference).OrderBy(t => t.Key, StringComparer.Ordinal))} expected {string.Join(", ", expected.OrderBy(t => t.Key, StringComparer.Ordinal))}\n{soloLog}");
        Assert.Contains(reference, v => v.Contains(" w ", StringComparison.Ordinal));

        var random = new Random(20261204);
        string[] ids = ["a", "b", "c"];
        var victim = ids[random.Next(ids.Length)];
        var killAfter = TimeSpan.FromMilliseconds(random.NextDouble() * 1000);
        watch.Restart();
        using var instances = Instances(kit, "wc-scaled");
        foreach (var id in ids)
        {
            instances.Start(id);
        }

        // The victim dies after its keyed readers committed, so they own windows and totals by then.
        await instances.WaitForLineAsync("rcommitted " + victim + " ");
        await Task.Delay(killAfter);
        var victimOwned = instances.LastOwned(victim);
        instances.Kill(victim);
        await Task.Delay(TimeSpan.FromMilliseconds(800));
        instances.Start("d");
        await instances.WaitForLinesAfterKillAsync([.. victimOwned.Select(p => $"took over lines [[{p}]]")]);
        await WaitForLastWindowAsync(kit, instances);
        await instances.WaitUntilDoneAsync(kit, Partitions, PerPartition);
        await instances.StopAllAsync();

        var scaled = Values(kit, instances.OutputTopic);
        foreach (var line in instances.Log.Split('\n').Where(l => l.StartsWith("---", StringComparison.Ordinal) || l.StartsWith("assigned", StringComparison.Ordinal) || l.StartsWith("lost", StringComparison.Ordinal) || l.Contains("took over", StringComparison.Ordinal)))
        {
            output.WriteLine("  " + line.TrimEnd());
        }

        var lost = reference.Except(scaled, StringComparer.Ordinal).Count();
        var restoredReaders = instances.Log.Split('\n').Count(l => l.Contains("(keyed reader)", StringComparison.Ordinal) && l.Contains("took over", StringComparison.Ordinal) && !l.Contains(": 0 committed batches", StringComparison.Ordinal));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"SIGKILL {victim} {killAfter.TotalMilliseconds:F0} ms after its first keyed commit: keyed readers restored={restoredReaders} out={scaled.Length} (reference {reference.Length}) in {watch.Elapsed.TotalSeconds:F1} s"));
        Assert.True(reference.SequenceEqual(scaled, StringComparer.Ordinal), $"the scaled run differs from the single process: {scaled.Length} vs {reference.Length} records, {lost} distinct reference records missing\n{instances.Log}");
        Assert.Equal(expected, Totals(scaled));
        Assert.True(restoredReaders > 0, $"a keyed reader with committed batches was taken over and restored\n{instances.Log}");
    }

    /// <summary>
    /// Waits until every word of the last input batch has its last windowed count: the input is cut into the same
    /// batches on every run (batch k holds lines 20(k-1)..20k-1 of every partition), so the last input batch is
    /// <c>PerPartition / MaxRecords</c> and the window of 4 batches ends 3 batches later. The keyed readers run behind
    /// the writers, so "the input is committed and the output stopped growing" alone can stop too early.
    /// </summary>
    private static async Task WaitForLastWindowAsync(ScaleOutTestKit kit, ChildInstances instances)
    {
        var lastInput = PerPartition / MaxRecords;
        var lastWindow = (lastInput + 3).ToString(CultureInfo.InvariantCulture);
        var words = Enumerable.Range(0, Partitions)
            .SelectMany(p => Enumerable.Range((lastInput - 1) * MaxRecords, MaxRecords).SelectMany(i => ScaleOutTestKit.Line(p, i)))
            .ToHashSet(StringComparer.Ordinal);
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var done = Values(kit, instances.OutputTopic)
                .Select(v => v.Split('|')[1].Split(' '))
                .Where(parts => parts[0] == lastWindow && parts[1] == "w")
                .Select(parts => parts[2])
                .ToHashSet(StringComparer.Ordinal);
            if (words.IsSubsetOf(done))
            {
                return;
            }

            if (watch.Elapsed > ScaleOutTestKit.HangGuard)
            {
                throw new TimeoutException($"The last window (batch {lastWindow}) of [{string.Join(", ", words.Except(done))}] was not written within {ScaleOutTestKit.HangGuard.TotalSeconds:0} s.\n{instances.Log}");
            }

            await Task.Delay(250);
        }
    }

    private static ChildInstances Instances(ScaleOutTestKit kit, string applicationId)
    {
        kit.CreateApplicationTopics(applicationId, Partitions);
        return new ChildInstances(kit.Bootstrap, applicationId, "lines", BatchMs, MaxRecords, SessionMs, wordCount: true);
    }

    private static string[] Values(ScaleOutTestKit kit, string topic) =>
        [.. kit.ReadAll(topic).Select(r => r.Message.Key + "|" + r.Message.Value).Order(StringComparer.Ordinal)];

    /// <summary>The highest running total per word ("&lt;word&gt;|&lt;batch&gt; t &lt;word&gt; &lt;total&gt;").</summary>
    private static Dictionary<string, long> Totals(string[] values) =>
        values.Select(v => v.Split('|')[1].Split(' '))
            .Where(parts => parts[1] == "t")
            .GroupBy(parts => parts[2], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Max(parts => long.Parse(parts[3], CultureInfo.InvariantCulture)), StringComparer.Ordinal);
}
