using System.Collections.Concurrent;
using System.Globalization;

namespace Pipelines.Benchmarks.Sustained;

/// <summary>
/// W6, Spark's "sustainable throughput": lines go through a real <c>SocketTextStream</c> on 127.0.0.1 into a
/// word count; a rate is sustained when, after a warm-up, every batch finishes within its interval (scheduling
/// delay plus processing time) and the batches hold the records sent. The search doubles the rate until a trial
/// fails, then bisects (geometrically, at most 9 trials) between the last sustained and the first failed rate
/// until they are within 15%.
/// </summary>
public static class SustainedThroughput
{
    /// <summary>The outcome of one trial.</summary>
    /// <param name="LinesPerSecond">The rate the server sent at.</param>
    /// <param name="Sustained">Whether every measured batch finished within its interval with the records sent.</param>
    /// <param name="MaxTotalDelay">The longest scheduling delay plus processing time of a measured batch.</param>
    /// <param name="MeanProcessing">The mean processing time of the measured batches.</param>
    /// <param name="ReceivedShare">Records in the measured batches over records sent in their time.</param>
    public sealed record Trial(double LinesPerSecond, bool Sustained, TimeSpan MaxTotalDelay, TimeSpan MeanProcessing, double ReceivedShare)
    {
        /// <inheritdoc/>
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{LinesPerSecond,12:N0} lines/s  {(Sustained ? "sustained" : "FAILED   ")}  max delay {MaxTotalDelay.TotalMilliseconds,7:N0} ms  mean processing {MeanProcessing.TotalMilliseconds,7:N0} ms  received {ReceivedShare,6:P1}");
    }

    /// <summary>Finds the highest sustained rate of <paramref name="define"/>; prints every trial.</summary>
    public static async Task<double> SearchAsync(
        string name, string[] lines, Func<DStream<string>, DStream<(string Key, int Value)>> define, TimeSpan interval, double startRate, int parallelism, TextWriter log)
    {
        log.WriteLine($"{name}:");
        double good = 0, bad = double.PositiveInfinity, rate = startRate;
        for (var trials = 0; trials < 9; trials++)
        {
            var trial = await RunTrialAsync(lines, rate, define, interval, parallelism, warmupBatches: 2, measuredBatches: 5).ConfigureAwait(false);
            log.WriteLine("  " + trial);
            if (trial.Sustained)
            {
                good = Math.Max(good, rate);
            }
            else
            {
                bad = Math.Min(bad, rate);
            }

            if (double.IsPositiveInfinity(bad))
            {
                rate *= 2;
            }
            else if (good == 0)
            {
                rate /= 2;
            }
            else if (bad / good <= 1.15)
            {
                break;
            }
            else
            {
                rate = Math.Sqrt(good * bad);
            }
        }

        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  => highest sustained rate: {good:N0} lines/s"));
        return good;
    }

    /// <summary>Runs one trial at <paramref name="linesPerSecond"/>.</summary>
    public static async Task<Trial> RunTrialAsync(
        string[] lines, double linesPerSecond, Func<DStream<string>, DStream<(string Key, int Value)>> define, TimeSpan interval, int parallelism, int warmupBatches, int measuredBatches)
    {
        await using var server = new LineServer(lines);
        var completed = new BlockingCollection<BatchInfo>();
        var context = new StreamingContext(interval, new StreamingOptions { Parallelism = parallelism });
        await using (context.ConfigureAwait(false))
        {
            context.AddStreamingListener(new Recorder(completed));
            var distinct = 0;
            define(context.SocketTextStream("127.0.0.1", server.Port)).ForEachBatch((batch, _) => Volatile.Write(ref distinct, batch.Count));
            server.Start(linesPerSecond);
            context.Start();

            var batches = new List<BatchInfo>();
            var deadline = DateTime.UtcNow + interval * (warmupBatches + measuredBatches) * 3 + TimeSpan.FromSeconds(10);
            while (batches.Count < warmupBatches + measuredBatches && completed.TryTake(out var batch, Remaining(deadline)))
            {
                batches.Add(batch);
            }

            await context.StopAsync(graceful: false).ConfigureAwait(false);
            var measured = batches.Skip(warmupBatches).ToArray();
            if (measured.Length < measuredBatches)
            {
                return new Trial(linesPerSecond, false, TimeSpan.MaxValue, TimeSpan.MaxValue, 0);
            }

            var maxDelay = measured.Max(b => b.TotalDelay ?? TimeSpan.MaxValue);
            var meanProcessing = TimeSpan.FromTicks((long)measured.Average(b => (b.ProcessingDelay ?? TimeSpan.Zero).Ticks));
            var received = measured.Sum(b => b.NumRecords) / (linesPerSecond * interval.TotalSeconds * measured.Length);
            var sustained = measured.All(b => b.Failure is null) && maxDelay <= interval && received >= 0.95;
            return new Trial(linesPerSecond, sustained, maxDelay, meanProcessing, received);
        }
    }

    private static TimeSpan Remaining(DateTime deadline)
    {
        var left = deadline - DateTime.UtcNow;
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    private sealed class Recorder(BlockingCollection<BatchInfo> completed) : IStreamingListener
    {
        public void OnBatchCompleted(BatchInfo batch) => completed.Add(batch);
    }
}
