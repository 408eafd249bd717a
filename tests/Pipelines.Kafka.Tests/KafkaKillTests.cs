using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Microsoft.Data.Sqlite;
using Pipelines.TestKit;
using Xunit.Abstractions;

namespace Pipelines.Kafka.Tests;

/// <summary>
/// The exactly-once proof: a child process (Pipelines.Kafka.FaultApp) reads a topic of the mock cluster this test
/// process owns, writes it upper-cased to another topic with SaveToKafka and to SQLite, and is killed with SIGKILL at
/// seeded moments and restarted from its checkpoint; its read_committed output must equal a failure-free run's.
/// </summary>
public sealed class KafkaKillTests(ITestOutputHelper output)
{
    private const int Partitions = 4;
    private const int BatchMs = 100;
    private const double MaxRatePerPartition = 250; // 25 records per partition per batch: the input spans many batches

    private static int Kills => int.TryParse(Environment.GetEnvironmentVariable("PIPELINES_FAULT_KILLS"), CultureInfo.InvariantCulture, out var kills) ? kills : 20;

    private static int Seed => int.TryParse(Environment.GetEnvironmentVariable("PIPELINES_FAULT_SEED"), CultureInfo.InvariantCulture, out var seed) ? seed : 20261203;

    [Fact]
    public async Task SIGKILLed_direct_stream_to_transactional_sink_loses_and_duplicates_nothing()
    {
        using var kit = new KafkaTestKit();
        var random = new Random(Seed);
        var chunks = Enumerable.Range(0, Kills + 1).Select(c => Enumerable.Range(0, 120).Select(i => (c * 120) + i).ToArray()).ToArray();
        string Line(int id) => string.Create(CultureInfo.InvariantCulture, $"r{id:D6} {(char)('a' + (id % 26))}{id % 7}");
        kit.Cluster.CreateTopic("in", Partitions);
        kit.Cluster.CreateTopic("out-clean", Partitions);
        kit.Cluster.CreateTopic("out-killed", Partitions);

        // Half the input is there at the start; the rest arrives one chunk per restart.
        var upfront = chunks.Take(chunks.Length / 2).SelectMany(c => c).ToArray();
        kit.Produce("in", upfront.Select(id => (id % Partitions, $"k{id}", Line(id))));
        var fed = new List<int>(upfront);

        // The failure-free run reads everything there is at the start.
        var watch = Stopwatch.StartNew();
        using (var clean = new ChildRun(kit.Bootstrap, "out-clean"))
        {
            using var child = clean.Start();
            await clean.WaitForOutputAsync(kit, fed.Count, child);
            await clean.StopAsync(child);
            output.WriteLine($"failure-free: {fed.Count} records in {watch.Elapsed.TotalSeconds:F1} s");
        }

        watch.Restart();
        using var killed = new ChildRun(kit.Bootstrap, "out-killed");
        var next = chunks.Length / 2;
        for (var kill = 0; kill < Kills; kill++)
        {
            using var child = killed.Start();
            await killed.WaitForLineAsync(child, "started fresh", "recovered from");
            if (next < chunks.Length)
            {
                kit.Produce("in", chunks[next].Select(id => (id % Partitions, $"k{id}", Line(id))));
                fed.AddRange(chunks[next++]);
            }

            var uptime = TimeSpan.FromMilliseconds(100 + (random.NextDouble() * 700));
            var exited = child.WaitForExitAsync();
            if (await Task.WhenAny(exited, Task.Delay(uptime)) == exited)
            {
                throw new InvalidOperationException($"The app exited by itself (code {child.ExitCode}) before kill #{kill + 1}.\n{killed.Log}");
            }

            child.Kill(); // SIGKILL
            await child.WaitForExitAsync();
            killed.Append($"--- SIGKILL #{kill + 1} after {uptime.TotalMilliseconds:F0} ms");
        }

        while (next < chunks.Length)
        {
            kit.Produce("in", chunks[next].Select(id => (id % Partitions, $"k{id}", Line(id))));
            fed.AddRange(chunks[next++]);
        }

        using (var last = killed.Start())
        {
            await killed.WaitForOutputAsync(kit, fed.Count, last);
            await killed.StopAsync(last);
        }

        var expected = fed.Select(id => Line(id).ToUpperInvariant()).Order(StringComparer.Ordinal).ToArray();
        var killedOutput = kit.ReadAll("out-killed").Select(r => r.Message.Value).Order(StringComparer.Ordinal).ToArray();
        var cleanOutput = kit.ReadAll("out-clean").Select(r => r.Message.Value).ToHashSet(StringComparer.Ordinal);
        var lost = expected.Except(killedOutput, StringComparer.Ordinal).Count();
        var duplicated = killedOutput.Length - killedOutput.Distinct(StringComparer.Ordinal).Count();
        var recoveries = killed.CountLines("recovered from");
        var skipped = killed.CountLines("skipped replay");
        var sqliteRows = killed.ReadSqliteValues();
        var uncommitted = kit.ReadAll("out-killed", IsolationLevel.ReadUncommitted).Count;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"killed: kills={Kills} recoveries={recoveries} skipped-replays={skipped} records={expected.Length} out={killedOutput.Length} lost={lost} duplicated={duplicated} sqlite={sqliteRows.Length} read_uncommitted={uncommitted} elapsed={watch.Elapsed.TotalSeconds:F1}s"));

        Assert.True(lost == 0 && duplicated == 0, $"lost={lost} duplicated={duplicated}\n{killed.Log}");
        Assert.Equal(expected, killedOutput);
        Assert.Equal(expected, sqliteRows);
        Assert.True(cleanOutput.IsSubsetOf(killedOutput), "the killed run's output holds every record of the failure-free run");
        Assert.True(recoveries >= Kills / 2, $"most restarts recover from a checkpoint (recoveries={recoveries})\n{killed.Log}");
    }

    /// <summary>One app configuration (output topic, checkpoint folder, SQLite file) started as child processes.</summary>
    private sealed class ChildRun(string bootstrap, string outputTopic) : IDisposable
    {
        private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);
        private readonly TempFolder _root = new();
        private readonly ProcessLog _log = new();
        private readonly List<Process> _started = [];

        public string Log => _log.Text;

        private string Database => Path.Combine(_root.Path, "sink.db");

        private string StopMarker => Path.Combine(_root.Path, "STOP");

        public Process Start()
        {
            var process = DotNetApp.Start(
                "Pipelines.Kafka.FaultApp.dll",
                [
                    bootstrap, "in", outputTopic, Path.Combine(_root.Path, "checkpoint"), Database, BatchMs.ToString(CultureInfo.InvariantCulture),
                    MaxRatePerPartition.ToString(CultureInfo.InvariantCulture), StopMarker,
                ],
                _log);
            _started.Add(process);
            return process;
        }

        public void Append(string line) => _log.Append(line);

        public int CountLines(string prefix) => _log.CountStartingWith(prefix);

        public async Task WaitForLineAsync(Process child, params string[] prefixes)
        {
            var deadline = Stopwatch.StartNew();
            while (!LastStartPrinted())
            {
                if (child.HasExited || deadline.Elapsed > HangGuard)
                {
                    throw new InvalidOperationException($"The app did not start (exited: {child.HasExited}).\n{Log}");
                }

                await Task.Delay(10);
            }

            bool LastStartPrinted()
            {
                var lines = Log.Split('\n');
                var lastKill = Array.FindLastIndex(lines, l => l.StartsWith("--- SIGKILL", StringComparison.Ordinal));
                return lines.Skip(lastKill + 1).Any(l => prefixes.Any(p => l.StartsWith(p, StringComparison.Ordinal)));
            }
        }

        public async Task WaitForOutputAsync(KafkaTestKit kit, int records, Process child)
        {
            var deadline = Stopwatch.StartNew();
            while (kit.ReadAll(outputTopic).Count < records)
            {
                if (child.HasExited || deadline.Elapsed > HangGuard)
                {
                    throw new TimeoutException($"The app did not write {records} records (exited: {child.HasExited}).\n{Log}");
                }

                await Task.Delay(200);
            }
        }

        public async Task StopAsync(Process child)
        {
            await File.WriteAllTextAsync(StopMarker, "stop");
            using var exit = new CancellationTokenSource(HangGuard);
            await child.WaitForExitAsync(exit.Token);
            File.Delete(StopMarker);
            if (child.ExitCode != 0)
            {
                throw new InvalidOperationException($"The app ended with exit code {child.ExitCode}.\n{Log}");
            }
        }

        public string[] ReadSqliteValues()
        {
            using var connection = new SqliteConnection($"Data Source={Database};Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT value FROM lines";
            using var reader = command.ExecuteReader();
            var values = new List<string>();
            while (reader.Read())
            {
                values.Add(reader.GetString(0));
            }

            return [.. values.Order(StringComparer.Ordinal)];
        }

        public void Dispose()
        {
            foreach (var process in _started)
            {
                try
                {
                    if (!process.HasExited)
                    {
                        process.Kill();
                        process.WaitForExit(HangGuard);
                    }
                }
                catch (InvalidOperationException)
                {
                    // already gone
                }
            }

            SqliteConnection.ClearAllPools();
            _root.Dispose();
        }
    }
}
