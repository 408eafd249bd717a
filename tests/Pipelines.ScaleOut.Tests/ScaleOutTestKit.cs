using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Pipelines.Kafka.Testing;
using Pipelines.Kafka.Tests;
using Pipelines.TestKit;

namespace Pipelines.ScaleOut.Tests;

/// <summary>A mock cluster owned by the test process, the test input, and reading topics to their end.</summary>
internal sealed class ScaleOutTestKit : IDisposable
{
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(90);

    private readonly KafkaTestKit _kafka = new();

    public KafkaMockCluster Cluster => _kafka.Cluster;

    public string Bootstrap => Cluster.BootstrapServers;

    /// <summary>Creates an application's output and internal topics.</summary>
    public void CreateApplicationTopics(string applicationId, int partitions)
    {
        Cluster.CreateTopic(applicationId + "-out", partitions);
        Cluster.CreateTopic(applicationId + "-positions", partitions);
        Cluster.CreateTopic(applicationId + "-zero", 1);
        Cluster.CreateTopic(applicationId + "-repartition-0", partitions);
    }

    /// <summary>The words of input line <paramref name="i"/> of partition <paramref name="p"/>: every partition holds every word.</summary>
    public static string[] Line(int p, int i) =>
        [Words[((p * 7) + (i * 3)) % Words.Length], Words[((i * 5) + p) % Words.Length], Words[((i * i) + (2 * p)) % Words.Length]];

    private static readonly string[] Words = [.. Enumerable.Range(0, 24).Select(n => string.Create(CultureInfo.InvariantCulture, $"word{n}"))];

    /// <summary>Lines of words, spread over the partitions with no regard to the words (not partitioned by word).</summary>
    public void ProduceLines(string topic, int partitions, int perPartition)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = Bootstrap, EnableIdempotence = true, LingerMs = 5 }).Build();
        for (var p = 0; p < partitions; p++)
        {
            for (var i = 0; i < perPartition; i++)
            {
                producer.Produce(new TopicPartition(topic, p), new Message<string, string> { Key = string.Create(CultureInfo.InvariantCulture, $"line{p}-{i}"), Value = string.Join(' ', Line(p, i)) });
            }
        }

        if (producer.Flush(HangGuard) != 0)
        {
            throw new TimeoutException("The test producer could not deliver the input.");
        }
    }

    /// <summary>
    /// Input keyed by key, partitioned by key (partition p holds the keys <c>k&lt;p&gt;-0..4</c>), each key in bursts so that
    /// sessions open and close: the same records every run.
    /// </summary>
    public void ProduceInput(string topic, int partitions, int perPartition)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = Bootstrap, EnableIdempotence = true, LingerMs = 5 }).Build();
        for (var p = 0; p < partitions; p++)
        {
            for (var i = 0; i < perPartition; i++)
            {
                var block = i / 15;
                var key = string.Create(CultureInfo.InvariantCulture, $"k{p}-{((block * 2) + (i % 3 == 0 ? 1 : 0)) % 5}");
                producer.Produce(new TopicPartition(topic, p), new Message<string, string> { Key = key, Value = string.Create(CultureInfo.InvariantCulture, $"{key} e{i}") });
            }
        }

        if (producer.Flush(HangGuard) != 0)
        {
            throw new TimeoutException("The test producer could not deliver the input.");
        }
    }

    /// <summary>Reads a topic from its beginning to its end with the given isolation.</summary>
    public List<ConsumeResult<string, string>> ReadAll(string topic, IsolationLevel isolation = IsolationLevel.ReadCommitted) => _kafka.ReadAll(topic, isolation);

    public void Dispose() => _kafka.Dispose();
}

/// <summary>The instances of one application, started as child processes (Pipelines.ScaleOut.FaultApp).</summary>
internal sealed class ChildInstances(string bootstrap, string applicationId, string input, int batchMs, int maxRecords, int sessionMs, bool wordCount = false) : IDisposable
{
    private readonly ProcessLog _log = new();
    private readonly Dictionary<string, Process> _running = [];

    public string Log => _log.Text;

    public string OutputTopic => applicationId + "-out";

    /// <summary>Starts an instance; <paramref name="dieInside"/> makes it SIGKILL itself inside a batch's transaction (see the FaultApp).</summary>
    public void Start(string instanceId, long? dieInside = null)
    {
        string[] arguments =
        [
            bootstrap, applicationId, instanceId, input, OutputTopic, batchMs.ToString(CultureInfo.InvariantCulture),
            maxRecords.ToString(CultureInfo.InvariantCulture), sessionMs.ToString(CultureInfo.InvariantCulture),
        ];
        if (dieInside is { } at)
        {
            arguments = [.. arguments, string.Create(CultureInfo.InvariantCulture, $"die-inside={at}")];
        }

        if (wordCount)
        {
            arguments = [.. arguments, "wordcount"];
        }

        var process = DotNetApp.Start(
            "Pipelines.ScaleOut.FaultApp.dll",
            arguments,
            _log,
            redirectInput: true,
            stderrPrefix: $"stderr {instanceId}: ");
        _running[instanceId] = process;
        Append($"--- started {instanceId} (pid {process.Id})");
    }

    public void Kill(string instanceId)
    {
        var process = _running[instanceId];
        process.Kill(); // SIGKILL
        process.WaitForExit();
        _running.Remove(instanceId);
        Append($"--- SIGKILL {instanceId}");
    }

    /// <summary>Waits until an instance started with <c>dieInside</c> killed itself.</summary>
    public async Task WaitForSelfKillAsync(string instanceId)
    {
        var process = _running[instanceId];
        using var exit = new CancellationTokenSource(ScaleOutTestKit.HangGuard);
        try
        {
            await process.WaitForExitAsync(exit.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Instance {instanceId} did not kill itself within {ScaleOutTestKit.HangGuard.TotalSeconds:0} s.\n{Log}");
        }

        _running.Remove(instanceId);
        Append($"--- SIGKILL {instanceId} (by itself, inside a transaction)");
    }

    public void Append(string line) => _log.Append(line);

    /// <summary>Waits until an instance printed a line starting with <paramref name="prefix"/>.</summary>
    public async Task WaitForLineAsync(string prefix)
    {
        var watch = Stopwatch.StartNew();
        while (!Log.Split('\n').Any(l => l.StartsWith(prefix, StringComparison.Ordinal)))
        {
            if (watch.Elapsed > ScaleOutTestKit.HangGuard)
            {
                throw new TimeoutException($"No instance printed '{prefix}' within {ScaleOutTestKit.HangGuard.TotalSeconds:0} s.\n{Log}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>The partitions an instance said it owns in its last "assigned"/"revoked"/"lost" line.</summary>
    public int[] LastOwned(string instanceId)
    {
        var line = Log.Split('\n').LastOrDefault(l => l.StartsWith($"assigned {instanceId} ", StringComparison.Ordinal) || l.StartsWith($"revoked {instanceId} ", StringComparison.Ordinal) || l.StartsWith($"lost {instanceId} ", StringComparison.Ordinal));
        if (line is null)
        {
            return [];
        }

        var owned = line[(line.LastIndexOf('[') + 1)..line.LastIndexOf(']')];
        return owned.Length == 0 ? [] : [.. owned.Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture))];
    }

    /// <summary>Waits until, after the last SIGKILL, the log holds a line containing each of <paramref name="fragments"/>.</summary>
    public async Task WaitForLinesAfterKillAsync(string[] fragments)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var log = Log;
            var after = log[Math.Max(0, log.LastIndexOf("--- SIGKILL", StringComparison.Ordinal))..];
            if (fragments.All(f => after.Contains(f, StringComparison.Ordinal)))
            {
                return;
            }

            if (watch.Elapsed > ScaleOutTestKit.HangGuard)
            {
                throw new TimeoutException($"After the SIGKILL, the log did not show [{string.Join("; ", fragments)}] within {ScaleOutTestKit.HangGuard.TotalSeconds:0} s.\n{log}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The highest range end committed per input partition, from the instances' "committed" lines.</summary>
    public Dictionary<int, long> CommittedEnds()
    {
        var ends = new Dictionary<int, long>();
        foreach (var line in Log.Split('\n'))
        {
            if (!line.StartsWith("committed ", StringComparison.Ordinal))
            {
                continue;
            }

            var parts = line.Split(' ');
            var partition = int.Parse(parts[2].AsSpan(1), CultureInfo.InvariantCulture);
            var range = parts[4];
            var until = long.Parse(range.AsSpan(range.IndexOf(',', StringComparison.Ordinal) + 1, range.Length - range.IndexOf(',', StringComparison.Ordinal) - 2), CultureInfo.InvariantCulture);
            ends[partition] = Math.Max(ends.GetValueOrDefault(partition), until);
        }

        return ends;
    }

    /// <summary>Waits until every partition's input is committed and the output stopped growing (windows drained, sessions closed).</summary>
    public async Task WaitUntilDoneAsync(ScaleOutTestKit kit, int partitions, int perPartition)
    {
        var watch = Stopwatch.StartNew();
        var last = -1;
        var stableSince = Stopwatch.StartNew();
        while (true)
        {
            if (watch.Elapsed > ScaleOutTestKit.HangGuard)
            {
                throw new TimeoutException($"The instances did not finish the input within {ScaleOutTestKit.HangGuard.TotalSeconds:0} s.\n{Log}");
            }

            foreach (var (id, process) in _running)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"Instance {id} exited by itself (code {process.ExitCode}).\n{Log}");
                }
            }

            await Task.Delay(250);
            var ends = CommittedEnds();
            var inputDone = Enumerable.Range(0, partitions).All(p => ends.GetValueOrDefault(p) >= perPartition);
            var count = kit.ReadAll(OutputTopic).Count;
            if (count != last)
            {
                last = count;
                stableSince.Restart();
            }
            else if (inputDone && stableSince.Elapsed > TimeSpan.FromMilliseconds(batchMs * 12))
            {
                return;
            }
        }
    }

    public async Task StopAllAsync()
    {
        foreach (var process in _running.Values)
        {
            await process.StandardInput.WriteLineAsync("stop");
            await process.StandardInput.FlushAsync();
        }

        foreach (var (id, process) in _running)
        {
            using var exit = new CancellationTokenSource(ScaleOutTestKit.HangGuard);
            await process.WaitForExitAsync(exit.Token);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"Instance {id} ended with exit code {process.ExitCode}.\n{Log}");
            }
        }

        _running.Clear();
    }

    public void Dispose()
    {
        foreach (var process in _running.Values)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill();
                    process.WaitForExit(ScaleOutTestKit.HangGuard);
                }
            }
            catch (InvalidOperationException)
            {
                // already gone
            }
        }
    }
}
