using BenchmarkDotNet.Attributes;
using Pipelines.Benchmarks.Harness;

namespace Pipelines.Benchmarks.EventTime;

/// <summary>
/// Event-time windows, compiled (fused per-batch part) against interpreted: 100 batches of 10,000 (key, event second)
/// records over 1,000 keys, event times drifting 1 s per batch and jittered up to 8 s back (some records arrive late),
/// sliding windows of 10 s by 5 s, watermark delay 5 s. The reported time is per batch (<c>OperationsPerInvoke</c>).
/// </summary>
[MemoryDiagnoser]
[Throughput("Event-time windows", 10_000, "records")]
[BenchmarkCategory("EventTime")]
public class EventWindowBenchmarks
{
    /// <summary>Batches per run.</summary>
    public const int Batches = 100;

    private (int Key, int Value)[][] _batches = [];

    /// <summary>What every benchmark method returns: the agreed checksum, set by <c>Setup</c>.</summary>
    public long Expected { get; private set; }

    /// <summary>Builds the data, then checks that both paths agree.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _batches = Events(Batches, 10_000, 1_000);
        Expected = Agreement.Require("Event-time windows", Contenders());
    }

    /// <summary>Both contenders, the interpreted one first; each returns the checksum of all window outputs.</summary>
    public IReadOnlyList<Contender<long>> Contenders() =>
    [
        new("Pipelines: interpreted", RunInterpreted),
        new("Pipelines: compiled (fused)", RunCompiled),
    ];

    /// <summary>The definition, interpreted (the baseline).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Batches)]
    public long Interpreted() => RunInterpreted();

    /// <summary>The generated <c>Compile</c>: event times read and records pre-aggregated in the fused loop.</summary>
    [Benchmark(OperationsPerInvoke = Batches)]
    public long Compiled() => RunCompiled();

    /// <summary>The records of <paramref name="batches"/> batches: (key, event second), seeded, out of order within 8 s.</summary>
    public static (int Key, int Value)[][] Events(int batches, int perBatch, int keys)
    {
        var random = new Random(20261203);
        var result = new (int Key, int Value)[batches][];
        for (var b = 0; b < batches; b++)
        {
            result[b] = new (int Key, int Value)[perBatch];
            for (var i = 0; i < perBatch; i++)
            {
                result[b][i] = (random.Next(keys), Math.Max(0, b + 8 - random.Next(0, 9)));
            }
        }

        return result;
    }

    private long RunInterpreted() => KeyedRuns.Checksum(_batches, EventWindowPipeline.Define, static value => value);

    private long RunCompiled() => KeyedRuns.Checksum(_batches, EventWindowPipeline.Compile, static value => value);
}
