using BenchmarkDotNet.Attributes;
using Pipelines.Benchmarks.Data;
using Pipelines.Benchmarks.Harness;
using Pipelines.Compilation;

namespace Pipelines.Benchmarks.MapFilterSum;

/// <summary>W1 map-filter-sum: one batch of 1,000,000 integers in [0, 1000]; x * 3, keep even, widen to long, sum.</summary>
[MemoryDiagnoser]
[Throughput("W1 map-filter-sum", Count, "ints")]
[BenchmarkCategory("W1")]
public class MapFilterSumBenchmarks : IDisposable
{
    /// <summary>Records per batch.</summary>
    public const int Count = 1_000_000;

    private int[] _values = [];
    private PipelineRun<long, long>? _interpreted;
    private PipelineRun<long, long>? _handKernel;
    private PipelineRun<long, long>? _compiled;
    private IBatchStage<int, long>? _kernel;
    private Batch<int> _kernelInput = Batch<int>.Empty;

    /// <summary>What every benchmark method returns: the agreed sum, set by <c>Setup</c>.</summary>
    public long Expected { get; private set; }

    /// <summary>Builds the data and the pipeline runs, then checks that every contender agrees.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _values = BenchmarkData.Integers(Count);
        _interpreted = new PipelineRun<long, long>(context => MapFilterSumPipeline.Define(PipelineInputs.Repeat(context, _values)), SingleOrZero);
        _compiled = new PipelineRun<long, long>(context => MapFilterSumPipeline.Compile(PipelineInputs.Repeat(context, _values)), SingleOrZero);
        _handKernel = new PipelineRun<long, long>(
            context => PipelineInputs.Repeat(context, _values).Transform(batch => new[] { MapFilterSumLoops.PlainIf(batch.Span) }), SingleOrZero);
        _kernel = CompiledKernelStage.Create<int, long>(typeof(MapFilterSumPipeline));
        _kernelInput = Batch<int>.From(_values);
        Expected = Agreement.Require("W1 map-filter-sum", Contenders());
    }

    /// <summary>Every contender, the baseline first, for the setup check and the quick-mode tests.</summary>
    public IReadOnlyList<Contender<long>> Contenders() =>
    [
        new("Hand: plain if loop", HandPlainIf),
        new("Hand: branch-free loop", HandBranchFree),
        new("Hand: Vector<T> loop", HandVector),
        new("System.Linq", Linq),
        new("ZLinq", ZLinq),
        new("Rx: ToObservable", RxToObservable),
        new("Rx: Observable.Create loop", RxCreate),
        new("Pipelines: interpreted", Interpreted),
        new("Pipelines: compiled", Compiled),
        new("Pipelines: compiled kernel alone", CompiledKernel),
        new("Runtime + hand kernel", RuntimeHandKernel),
    ];

    /// <summary>The plain hand loop (the baseline).</summary>
    [Benchmark(Baseline = true)]
    public long HandPlainIf() => MapFilterSumLoops.PlainIf(_values);

    /// <summary>The branch-free hand loop.</summary>
    [Benchmark]
    public long HandBranchFree() => MapFilterSumLoops.BranchFree(_values);

    /// <summary>The vectorized hand loop.</summary>
    [Benchmark]
    public long HandVector() => MapFilterSumLoops.Vectorized(_values);

    /// <summary>System.Linq.</summary>
    [Benchmark]
    public long Linq() => MapFilterSumLoops.Linq(_values);

    /// <summary>ZLinq.</summary>
    [Benchmark]
    public long ZLinq() => MapFilterSumLoops.ZLinq(_values);

    /// <summary>Rx.NET via ToObservable.</summary>
    [Benchmark]
    public long RxToObservable() => MapFilterSumLoops.RxToObservable(_values);

    /// <summary>Rx.NET via Observable.Create.</summary>
    [Benchmark]
    public long RxCreate() => MapFilterSumLoops.RxCreate(_values);

    /// <summary>The Pipelines definition run through the runtime, interpreted.</summary>
    [Benchmark]
    public long Interpreted() => _interpreted!.Step();

    /// <summary>The generated <c>Compile</c> of the same definition, run through the runtime.</summary>
    [Benchmark]
    public long Compiled() => _compiled!.Step();

    /// <summary>
    /// The generated stage of <c>Compile</c> called directly on a batch of one partition holding the same records: the
    /// fused (SIMD) kernel without the runtime (no timer, job loop or output). Reads the sum from a batch it builds
    /// (one small batch object per call).
    /// </summary>
    [Benchmark]
    public long CompiledKernel()
    {
        var output = new BatchBuilder<long>(1);
        _kernel!.Process(_kernelInput, output);
        var batch = output.ToBatch();
        return batch.Count == 0 ? 0 : batch[0];
    }

    /// <summary>
    /// The plain hand loop as the one stage of a pipeline run through the runtime (batch cut, scheduling,
    /// output): the best a compiled pipeline can do through the runtime.
    /// </summary>
    [Benchmark]
    public long RuntimeHandKernel() => _handKernel!.Step();

    /// <summary>Stops the pipeline runs.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        _interpreted?.Dispose();
        _interpreted = null;
        _handKernel?.Dispose();
        _handKernel = null;
        _compiled?.Dispose();
        _compiled = null;
        GC.SuppressFinalize(this);
    }

    private static long SingleOrZero(Batch<long> batch) => batch.Count == 0 ? 0 : batch[0];
}
