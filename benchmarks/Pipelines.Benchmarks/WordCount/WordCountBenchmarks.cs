using BenchmarkDotNet.Attributes;
using Pipelines.Benchmarks.Data;
using Pipelines.Benchmarks.Harness;

namespace Pipelines.Benchmarks.WordCount;

/// <summary>
/// W2 word count: one batch of 100,000 lines of 8–12 words from a Zipf-like 20,000-word vocabulary; split,
/// (word, 1), reduce by key. Each benchmark returns the number of distinct words; the setup check compares the
/// full (word, count) tables.
/// </summary>
[MemoryDiagnoser]
[Throughput("W2 word count", Lines, "lines")]
[BenchmarkCategory("W2")]
public class WordCountBenchmarks : IDisposable
{
    /// <summary>Lines per batch.</summary>
    public const int Lines = 100_000;

    private string[] _lines = [];
    private readonly SpanWordCounter _spanCounter = new();
    private readonly SpanWordCounter _kernelCounter = new();
    private PipelineRun<(string Key, int Value), int>? _interpreted;
    private PipelineRun<(string Key, int Value), int>? _handKernel;
    private PipelineRun<(string Key, int Value), int>? _compiled;
    private PipelineRun<(string Key, int Value), int>? _compiledSequential;
    private Pipelines.Compilation.IBatchStage<string, (string Key, int Value)>? _kernel;
    private Batch<string> _kernelInput = Batch<string>.Empty;

    /// <summary>What every benchmark method returns: the number of distinct words in the agreed table, set by <c>Setup</c>.</summary>
    public int Expected { get; private set; }

    /// <summary>Builds the data and the pipeline runs, then checks that every contender agrees.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _lines = BenchmarkData.Lines(Lines);
        _interpreted = new PipelineRun<(string Key, int Value), int>(
            context => WordCountPipeline.Define(PipelineInputs.Repeat(context, _lines)), static batch => batch.Count);
        _compiled = new PipelineRun<(string Key, int Value), int>(
            context => WordCountPipeline.Compile(PipelineInputs.Repeat(context, _lines)), static batch => batch.Count);
        _compiledSequential = new PipelineRun<(string Key, int Value), int>(
            context => WordCountPipeline.Compile(PipelineInputs.Repeat(context, _lines)), static batch => batch.Count, parallelism: 1);
        _kernel = CompiledKernelStage.Create<string, (string Key, int Value)>(typeof(WordCountPipeline));
        _kernelInput = Batch<string>.From(_lines);
        _handKernel = new PipelineRun<(string Key, int Value), int>(
            context => HandKernel(PipelineInputs.Repeat(context, _lines)), static batch => batch.Count);
        Expected = Agreement.Require("W2 word count", Contenders(), SequenceComparer<(string, int)>.Instance).Length;
    }

    /// <summary>Every contender, the baseline first; each returns the (word, count) table sorted by word.</summary>
    public IReadOnlyList<Contender<(string, int)[]>> Contenders() =>
    [
        new("Hand: span loop + alternate lookup", () =>
        {
            _spanCounter.Count(_lines);
            return Canonical.Sorted(_spanCounter.Counts());
        }),
        new("Hand: Split loop", () => Canonical.Sorted(WordCountLoops.SplitLoop(_lines))),
        new("System.Linq", () => Canonical.Sorted(WordCountLoops.Linq(_lines))),
        new("ZLinq", () => Canonical.Sorted(WordCountLoops.ZLinq(_lines))),
        new("Rx: ToObservable", () => Canonical.Sorted(WordCountLoops.RxToObservable(_lines))),
        new("Rx: Observable.Create loop", () => Canonical.Sorted(WordCountLoops.RxCreate(_lines))),
        new("Pipelines: interpreted", () => RunOnce(WordCountPipeline.Define)),
        new("Pipelines: compiled", () => RunOnce(WordCountPipeline.Compile)),
        new("Pipelines: compiled kernel alone", () => Canonical.Sorted(RunKernel().ToArray().Select(p => (p.Key, p.Value)))),
        new("Runtime + hand kernel", () => RunOnce(HandKernel)),
    ];

    /// <summary>The span hand loop (the baseline).</summary>
    [Benchmark(Baseline = true)]
    public int HandSpan() => _spanCounter.Count(_lines);

    /// <summary>The Split hand loop.</summary>
    [Benchmark]
    public int HandSplit() => WordCountLoops.SplitLoop(_lines).Count;

    /// <summary>System.Linq.</summary>
    [Benchmark]
    public int Linq() => WordCountLoops.Linq(_lines).Count;

    /// <summary>ZLinq.</summary>
    [Benchmark]
    public int ZLinq() => WordCountLoops.ZLinq(_lines).Count;

    /// <summary>Rx.NET via ToObservable.</summary>
    [Benchmark]
    public int RxToObservable() => WordCountLoops.RxToObservable(_lines).Count;

    /// <summary>Rx.NET via Observable.Create.</summary>
    [Benchmark]
    public int RxCreate() => WordCountLoops.RxCreate(_lines).Count;

    /// <summary>The Pipelines definition run through the runtime, interpreted.</summary>
    [Benchmark]
    public int Interpreted() => _interpreted!.Step();

    /// <summary>The generated <c>Compile</c> of the same definition, run through the runtime.</summary>
    [Benchmark]
    public int Compiled() => _compiled!.Step();

    /// <summary>The generated <c>Compile</c> run through the runtime with <see cref="StreamingOptions.Parallelism"/> 1 (the fused stage on the job thread, no shuffle).</summary>
    [Benchmark]
    public int CompiledSequential() => _compiledSequential!.Step();

    /// <summary>
    /// The generated stage of <c>Compile</c> called directly on the batch (one partition): the fused kernel without
    /// the runtime, including its output of one (word, count) per distinct word (into a new builder per call).
    /// </summary>
    [Benchmark]
    public int CompiledKernel() => RunKernel().Count;

    /// <summary>
    /// The span hand loop as the one stage of a pipeline run through the runtime (batch cut, scheduling,
    /// output): the best a compiled pipeline can do through the runtime.
    /// </summary>
    [Benchmark]
    public int RuntimeHandKernel() => _handKernel!.Step();

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
        _compiledSequential?.Dispose();
        _compiledSequential = null;
        GC.SuppressFinalize(this);
    }

    private Batch<(string Key, int Value)> RunKernel()
    {
        var output = new BatchBuilder<(string Key, int Value)>(0);
        _kernel!.Process(_kernelInput, output);
        return output.ToBatch();
    }

    private DStream<(string Key, int Value)> HandKernel(DStream<string> lines) =>
        lines.Transform(batch =>
        {
            _kernelCounter.Count(batch.Span);
            return _kernelCounter.Counts();
        });

    /// <summary>Runs <paramref name="define"/> on one batch in its own context and returns the sorted table.</summary>
    private (string, int)[] RunOnce(Func<DStream<string>, DStream<(string Key, int Value)>> define)
    {
        using var run = new PipelineRun<(string Key, int Value), (string, int)[]>(
            context => define(PipelineInputs.Repeat(context, _lines)), static batch => Canonical.Sorted(batch.ToArray().Select(p => (p.Key, p.Value))));
        return run.Step();
    }
}
