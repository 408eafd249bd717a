using BenchmarkDotNet.Attributes;
using Pipelines.Benchmarks.Data;
using Pipelines.Benchmarks.Harness;
using ZLinq;

namespace Pipelines.Benchmarks.Join;

/// <summary>
/// W4 join: two streams of 200,000 (key, value) pairs per batch over 50,000 keys, inner join, then the sum of
/// left × right over all matching pairs. Rx.NET has no keyed join (its <c>Join</c> pairs by time windows), so it
/// is not a contender here.
/// </summary>
[MemoryDiagnoser]
[Throughput("W4 join", 2 * Count, "pairs")]
[BenchmarkCategory("W4")]
public class JoinBenchmarks : IDisposable
{
    /// <summary>Pairs per side per batch.</summary>
    public const int Count = 200_000;

    /// <summary>Distinct keys.</summary>
    public const int Keys = 50_000;

    private readonly HashJoiner _joiner = new();
    private (int Key, int Value)[] _left = [];
    private (int Key, int Value)[] _right = [];
    private PipelineRun<long, long>? _interpreted;
    private PipelineRun<long, long>? _compiled;

    /// <summary>What every benchmark method returns: the agreed sum, set by <c>Setup</c>.</summary>
    public long Expected { get; private set; }

    /// <summary>Builds the data and the pipeline runs, then checks that every contender agrees.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _left = BenchmarkData.KeyedValues(Count, Keys, salt: 0);
        _right = BenchmarkData.KeyedValues(Count, Keys, salt: 1);
        _interpreted = new PipelineRun<long, long>(
            context => JoinPipeline.Define(PipelineInputs.Repeat(context, _left), PipelineInputs.Repeat(context, _right)), SingleOrZero);
        _compiled = new PipelineRun<long, long>(
            context => JoinPipeline.Compile(PipelineInputs.Repeat(context, _left), PipelineInputs.Repeat(context, _right)), SingleOrZero);
        Expected = Agreement.Require("W4 join", Contenders());
    }

    /// <summary>Every contender, the baseline first.</summary>
    public IReadOnlyList<Contender<long>> Contenders() =>
    [
        new("Hand: hash join", HandHashJoin),
        new("System.Linq", Linq),
        new("ZLinq", ZLinq),
        new("Pipelines: interpreted", Interpreted),
        new("Pipelines: compiled", Compiled),
    ];

    /// <summary>The hand hash join (the baseline).</summary>
    [Benchmark(Baseline = true)]
    public long HandHashJoin() => _joiner.JoinSum(_left, _right);

    /// <summary>System.Linq's <c>Join</c>.</summary>
    [Benchmark]
    public long Linq() => _left.Join(_right, l => l.Key, r => r.Key, (l, r) => (long)l.Value * r.Value).Sum();

    /// <summary>ZLinq's <c>Join</c>.</summary>
    [Benchmark]
    public long ZLinq() => _left.AsValueEnumerable().Join(_right, l => l.Key, r => r.Key, (l, r) => (long)l.Value * r.Value).Sum();

    /// <summary>The Pipelines definition run through the runtime, interpreted.</summary>
    [Benchmark]
    public long Interpreted() => _interpreted!.Step();

    /// <summary>The generated <c>Compile</c> of the same definition, run through the runtime.</summary>
    [Benchmark]
    public long Compiled() => _compiled!.Step();

    /// <summary>Stops the pipeline runs.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        _interpreted?.Dispose();
        _interpreted = null;
        _compiled?.Dispose();
        _compiled = null;
        GC.SuppressFinalize(this);
    }

    private static long SingleOrZero(Batch<long> batch) => batch.Count == 0 ? 0 : batch[0];
}
