using BenchmarkDotNet.Attributes;
using Pipelines.Benchmarks.Harness;

namespace Pipelines.Benchmarks.EventTime;

/// <summary>
/// Event-time session windows, compiled (fused per-batch part) against interpreted: 100 batches of 10,000 (key, event
/// second) records over 50,000 keys (a key every 5 batches on average, so sessions open, merge and close), event
/// times drifting 1 s per batch and jittered up to 8 s back (some records arrive late), a 3 s gap, watermark delay
/// 5 s. The reported time is per batch (<c>OperationsPerInvoke</c>).
/// </summary>
[MemoryDiagnoser]
[Throughput("Event-time sessions", 10_000, "records")]
[BenchmarkCategory("EventTime")]
public class SessionWindowBenchmarks
{
    /// <summary>Batches per run.</summary>
    public const int Batches = 100;

    /// <summary>Distinct keys.</summary>
    public const int Keys = 50_000;

    private (int Key, int Value)[][] _batches = [];

    /// <summary>What every benchmark method returns: the agreed checksum, set by <c>Setup</c>.</summary>
    public long Expected { get; private set; }

    /// <summary>Builds the data (the event-time window benchmark's generator), then checks that both paths agree.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _batches = EventWindowBenchmarks.Events(Batches, 10_000, Keys);
        Expected = Agreement.Require("Event-time sessions", Contenders());
    }

    /// <summary>Both contenders, the interpreted one first; each returns the checksum of all closed sessions.</summary>
    public IReadOnlyList<Contender<long>> Contenders() =>
    [
        new("Pipelines: interpreted", RunInterpreted),
        new("Pipelines: compiled (fused)", RunCompiled),
    ];

    /// <summary>The definition, interpreted (the baseline).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Batches)]
    public long Interpreted() => RunInterpreted();

    /// <summary>The generated <c>Compile</c>: event times read and records merged into their keys' sessions in the fused loop.</summary>
    [Benchmark(OperationsPerInvoke = Batches)]
    public long Compiled() => RunCompiled();

    private long RunInterpreted() => KeyedRuns.Checksum(_batches, SessionWindowPipeline.Define, static value => value);

    private long RunCompiled() => KeyedRuns.Checksum(_batches, SessionWindowPipeline.Compile, static value => value);
}
