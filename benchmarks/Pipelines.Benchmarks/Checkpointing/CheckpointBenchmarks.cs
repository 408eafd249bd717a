using BenchmarkDotNet.Attributes;
using Pipelines.Testing;

namespace Pipelines.Benchmarks.Checkpointing;

/// <summary>
/// Checkpoint write and restore of keyed state: an <c>UpdateStateByKey</c> running count over <see cref="Keys"/>
/// string keys with <c>long</c> states, in a real folder. <see cref="Write"/> writes one checkpoint of that state
/// (JSON serialization, CRC, temporary file, flush to disk, rename, folder flush, retention).
/// <see cref="Restore"/> recovers a new context from it (<c>GetOrCreate</c> + <c>Start</c>: read, CRC check,
/// parse, state import). The file size is printed by the setup (docs/reliability.md has the figures).
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Checkpoint")]
public class CheckpointBenchmarks
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1_000_000);
    private static readonly BatchTime FirstBatch = new(1_001_000);
    private string _folder = string.Empty;
    private StreamingContext? _context;

    /// <summary>How many keys the state holds.</summary>
    [Params(10_000, 100_000, 1_000_000)]
    public int Keys { get; set; }

    /// <summary>The size of the checkpoint file, in bytes.</summary>
    public long CheckpointBytes { get; private set; }

    /// <summary>Runs one batch that puts <see cref="Keys"/> keys into the state, which writes the first checkpoint.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "pipelines-checkpoint-bench-" + Guid.NewGuid().ToString("N"));
        var pairs = new (string Key, long Value)[Keys];
        for (var i = 0; i < pairs.Length; i++)
        {
            pairs[i] = (string.Create(System.Globalization.CultureInfo.InvariantCulture, $"key{i:D7}"), 1);
        }

        var clock = new ManualClock(Start);
        _context = StreamingContext.GetOrCreate(_folder, () => Build(clock, pairs));
        _context.Start();
        clock.Advance(TimeSpan.FromSeconds(1));
        if (!_context.Scheduler!.WhenCompletedAsync(FirstBatch).Wait(TimeSpan.FromMinutes(5)))
        {
            throw new TimeoutException("The batch that fills the state did not finish.");
        }

        CheckpointBytes = new FileInfo(Path.Combine(_folder, $"checkpoint-{FirstBatch.Milliseconds}.bin")).Length;
        Console.WriteLine($"// Checkpoint of {Keys} keys: {CheckpointBytes} bytes");
    }

    /// <summary>Writes the checkpoint of the state (after a completed batch, as the scheduler does).</summary>
    [Benchmark]
    public void Write() => _context!.Checkpointing!.OnBatchCompleted(FirstBatch);

    /// <summary>Recovers a new context from the newest checkpoint and starts it (no batch runs).</summary>
    [Benchmark]
    public BatchTime? Restore()
    {
        var context = StreamingContext.GetOrCreate(_folder, () => Build(new ManualClock(Start + TimeSpan.FromSeconds(1)), []));
        context.Start();
        var recovered = context.RecoveredFrom;
        context.StopAsync(graceful: false).GetAwaiter().GetResult();
        return recovered;
    }

    /// <summary>Stops the context and deletes the folder.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _context?.StopAsync(graceful: false).GetAwaiter().GetResult();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static StreamingContext Build(ManualClock clock, (string Key, long Value)[] pairs)
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock });
        var state = context.QueueStream<(string Key, long Value)>([pairs])
            .UpdateStateByKey((IReadOnlyList<long> values, Optional<long> total) => Optional.Of(total.GetValueOrDefault(0) + values.Count));
        state.Checkpoint(TimeSpan.FromSeconds(1));
        state.ForEachBatch((_, _) => { });
        return context;
    }
}
