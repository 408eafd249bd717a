using BenchmarkDotNet.Attributes;
using Pipelines.Benchmarks.Data;
using Pipelines.Benchmarks.Harness;

namespace Pipelines.Benchmarks.State;

/// <summary>
/// W5 stateful: a running count per key over 40 batches of 10,000 (key, 1) pairs over 5,000 keys, the whole
/// state output after every batch. The reported time is per batch (<c>OperationsPerInvoke</c>).
/// </summary>
[MemoryDiagnoser]
[Throughput("W5 running count", 10_000, "pairs")]
[BenchmarkCategory("W5")]
public class RunningCountBenchmarks : IDisposable
{
    /// <summary>Batches per run.</summary>
    public const int Batches = 40;

    private readonly Dictionary<int, long> _state = [];
    private (int Key, int Value)[][] _batches = [];
    private SteadyRun<(int Key, int Value), (int Key, long State)>? _steady;

    /// <summary>What every benchmark method returns: the agreed checksum, set by <c>Setup</c>.</summary>
    public long Expected { get; private set; }

    /// <summary>Builds the data, then checks that every contender agrees.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _batches = BenchmarkData.KeyedOnes(Batches, 10_000, 5_000, salt: 5);
        Expected = Agreement.Require("W5 running count", Contenders());
        _steady?.Dispose();
        _steady = new SteadyRun<(int Key, int Value), (int Key, long State)>(RunningCountPipeline.CompileUpdateStateByKey);
    }

    /// <summary>
    /// The compiled <c>UpdateStateByKey</c> in one context kept running across invocations (steady state: keys
    /// interned, no context start or stop per run; the counts keep growing from one invocation to the next).
    /// </summary>
    [Benchmark(OperationsPerInvoke = Batches)]
    public long CompiledUpdateStateByKeySteady() =>
        (_steady ?? throw new InvalidOperationException("Call Setup first.")).Checksum(_batches, static pair => (pair.Key, pair.State), static count => count);

    /// <summary>Stops the steady pipeline.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        _steady?.Dispose();
        _steady = null;
        GC.SuppressFinalize(this);
    }

    /// <summary>Every contender, the baseline first; each returns the checksum of all state outputs.</summary>
    public IReadOnlyList<Contender<long>> Contenders() =>
    [
        new("Hand: dictionary in place", RunHand),
        new("System.Linq: functional merge", RunLinq),
        new("ZLinq: functional merge", RunZLinq),
        new("Pipelines: interpreted UpdateStateByKey", RunInterpretedUpdateStateByKey),
        new("Pipelines: interpreted MapWithState", RunInterpretedMapWithState),
        new("Pipelines: compiled UpdateStateByKey", RunCompiledUpdateStateByKey),
    ];

    /// <summary>The hand loop (the baseline).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Batches)]
    public long Hand() => RunHand();

    /// <summary>System.Linq.</summary>
    [Benchmark(OperationsPerInvoke = Batches)]
    public long Linq() => RunLinq();

    /// <summary>ZLinq.</summary>
    [Benchmark(OperationsPerInvoke = Batches)]
    public long ZLinq() => RunZLinq();

    /// <summary>The Pipelines <c>UpdateStateByKey</c> definition, interpreted.</summary>
    [Benchmark(OperationsPerInvoke = Batches)]
    public long InterpretedUpdateStateByKey() => RunInterpretedUpdateStateByKey();

    /// <summary>The Pipelines <c>MapWithState</c> definition (state snapshots), interpreted.</summary>
    [Benchmark(OperationsPerInvoke = Batches)]
    public long InterpretedMapWithState() => RunInterpretedMapWithState();

    /// <summary>The generated <c>Compile</c> of the <c>UpdateStateByKey</c> definition.</summary>
    [Benchmark(OperationsPerInvoke = Batches)]
    public long CompiledUpdateStateByKey() => RunCompiledUpdateStateByKey();

    private long RunCompiledUpdateStateByKey() => KeyedRuns.Checksum(_batches, RunningCountPipeline.CompileUpdateStateByKey, static count => count);

    private long RunInterpretedUpdateStateByKey() => KeyedRuns.Checksum(_batches, RunningCountPipeline.DefineUpdateStateByKey, static count => count);

    private long RunInterpretedMapWithState() => KeyedRuns.Checksum(_batches, RunningCountSnapshotPipeline.DefineMapWithState, static count => count);

    private long RunHand() => RunningCountLoops.Hand(_batches, _state);

    private long RunLinq() => RunningCountLoops.Linq(_batches);

    private long RunZLinq() => RunningCountLoops.ZLinq(_batches);
}
