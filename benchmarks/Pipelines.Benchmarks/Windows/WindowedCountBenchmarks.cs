using BenchmarkDotNet.Attributes;
using Pipelines.Benchmarks.Data;
using Pipelines.Benchmarks.Harness;

namespace Pipelines.Benchmarks.Windows;

/// <summary>
/// W3 windowed counts: batches of 10,000 (key, 1) pairs over 1,000 keys, slide 1 batch, window 10 or 60
/// batches; incremental (inverse) against recompute. Every run is 100 batches (the 40 for window 10 is
/// raised to 100 so both windows run the same number of batches), and the reported time is per batch
/// (<c>OperationsPerInvoke</c>), so window 10 and window 60 compare directly.
/// </summary>
[MemoryDiagnoser]
[Throughput("W3 windowed counts", 10_000, "pairs")]
[BenchmarkCategory("W3")]
public class WindowedCountBenchmarks : IDisposable
{
    /// <summary>Batches per run.</summary>
    public const int Batches = 100;

    private readonly Dictionary<int, int> _counts = [];
    private (int Key, int Value)[][] _batches = [];
    private SteadyRun<(int Key, int Value), (int Key, int Value)>? _steady;

    /// <summary>The window length in batches.</summary>
    [Params(10, 60)]
    public int Window { get; set; } = 10;

    /// <summary>What every benchmark method returns: the agreed checksum, set by <c>Setup</c>.</summary>
    public long Expected { get; private set; }

    /// <summary>Builds the data, then checks that every contender agrees.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _batches = BenchmarkData.KeyedOnes(Batches, 10_000, 1_000);
        Expected = Agreement.Require($"W3 windowed counts (window {Window})", Contenders());
        _steady?.Dispose();
        _steady = new SteadyRun<(int Key, int Value), (int Key, int Value)>(
            Window == 10 ? WindowedCountPipeline.CompileIncremental10 : WindowedCountPipeline.CompileIncremental60);
    }

    /// <summary>
    /// The compiled incremental window in one context kept running across invocations (steady state: keys interned,
    /// window full, no context start or stop per run).
    /// </summary>
    [Benchmark(OperationsPerInvoke = Batches)]
    public long CompiledIncrementalSteady() =>
        (_steady ?? throw new InvalidOperationException("Call Setup first.")).Checksum(_batches, static pair => pair, static count => count);

    /// <summary>Stops the steady pipeline.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        _steady?.Dispose();
        _steady = null;
        GC.SuppressFinalize(this);
    }

    /// <summary>Every contender, the baseline first; each returns the checksum of all window outputs.</summary>
    public IReadOnlyList<Contender<long>> Contenders() =>
    [
        new("Hand: incremental", RunHandIncremental),
        new("Hand: recompute", RunHandRecompute),
        new("System.Linq: recompute", RunLinq),
        new("ZLinq: recompute", RunZLinq),
        new("Pipelines: interpreted, incremental", RunInterpretedIncremental),
        new("Pipelines: interpreted, recompute", RunInterpretedRecompute),
        new("Pipelines: compiled, incremental", RunCompiledIncremental),
        new("Pipelines: compiled, recompute", RunCompiledRecompute),
    ];

    /// <summary>The incremental hand loop (the baseline).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Batches)]
    public long HandIncremental() => RunHandIncremental();

    /// <summary>The recomputing hand loop.</summary>
    [Benchmark(OperationsPerInvoke = Batches)]
    public long HandRecompute() => RunHandRecompute();

    /// <summary>System.Linq.</summary>
    [Benchmark(OperationsPerInvoke = Batches)]
    public long Linq() => RunLinq();

    /// <summary>ZLinq.</summary>
    [Benchmark(OperationsPerInvoke = Batches)]
    public long ZLinq() => RunZLinq();

    /// <summary>The Pipelines definition with the inverse function, interpreted.</summary>
    [Benchmark(OperationsPerInvoke = Batches)]
    public long InterpretedIncremental() => RunInterpretedIncremental();

    /// <summary>The recomputing Pipelines definition, interpreted.</summary>
    [Benchmark(OperationsPerInvoke = Batches)]
    public long InterpretedRecompute() => RunInterpretedRecompute();

    /// <summary>The generated <c>Compile</c> of the incremental definition.</summary>
    [Benchmark(OperationsPerInvoke = Batches)]
    public long CompiledIncremental() => RunCompiledIncremental();

    /// <summary>The generated <c>Compile</c> of the recomputing definition.</summary>
    [Benchmark(OperationsPerInvoke = Batches)]
    public long CompiledRecompute() => RunCompiledRecompute();

    private Func<DStream<(int Key, int Value)>, DStream<(int Key, int Value)>> Pick(
        Func<DStream<(int Key, int Value)>, DStream<(int Key, int Value)>> window10,
        Func<DStream<(int Key, int Value)>, DStream<(int Key, int Value)>> window60) => Window switch
        {
            10 => window10,
            60 => window60,
            _ => throw new InvalidOperationException($"Window {Window} has no pipeline definition; the definitions are written for windows 10 and 60."),
        };

    private long RunInterpretedIncremental() =>
        KeyedRuns.Checksum(_batches, Pick(WindowedCountPipeline.DefineIncremental10, WindowedCountPipeline.DefineIncremental60), static count => count);

    private long RunInterpretedRecompute() =>
        KeyedRuns.Checksum(_batches, Pick(WindowedCountPipeline.DefineRecompute10, WindowedCountPipeline.DefineRecompute60), static count => count);

    private long RunCompiledIncremental() =>
        KeyedRuns.Checksum(_batches, Pick(WindowedCountPipeline.CompileIncremental10, WindowedCountPipeline.CompileIncremental60), static count => count);

    private long RunCompiledRecompute() =>
        KeyedRuns.Checksum(_batches, Pick(WindowedCountPipeline.CompileRecompute10, WindowedCountPipeline.CompileRecompute60), static count => count);

    private long RunHandIncremental() => WindowedCountLoops.HandIncremental(_batches, Window, _counts);

    private long RunHandRecompute() => WindowedCountLoops.HandRecompute(_batches, Window, _counts);

    private long RunLinq() => WindowedCountLoops.Linq(_batches, Window);

    private long RunZLinq() => WindowedCountLoops.ZLinq(_batches, Window);
}
