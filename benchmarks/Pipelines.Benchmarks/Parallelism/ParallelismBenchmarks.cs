using BenchmarkDotNet.Attributes;
using Pipelines.Benchmarks.Data;
using Pipelines.Benchmarks.Harness;
using Pipelines.Benchmarks.WordCount;

namespace Pipelines.Benchmarks.Parallelism;

/// <summary>
/// Issue 12: one batch of 100,000 lines (7 input partitions of at most 16,384 lines) through the real runtime at
/// <see cref="StreamingOptions.Parallelism"/> 1 and 2: W2 word count and a CPU-heavy Map (a hash of each line),
/// compiled and interpreted. The speed-up is the ratio of the two rows of one method.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Parallelism")]
public class ParallelismBenchmarks : IDisposable
{
    /// <summary>Lines per batch.</summary>
    public const int Lines = 100_000;

    private PipelineRun<(string Key, int Value), int>? _wordCountCompiled;
    private PipelineRun<(string Key, int Value), int>? _wordCountInterpreted;
    private PipelineRun<ulong, ulong>? _hashCompiled;
    private PipelineRun<ulong, ulong>? _hashInterpreted;

    /// <summary>Partitions running at the same time.</summary>
    [Params(1, 2)]
    public int Parallelism { get; set; }

    /// <summary>Builds the runs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var lines = BenchmarkData.Lines(Lines);
        _wordCountCompiled = new(c => WordCountPipeline.Compile(PipelineInputs.Repeat(c, lines)), static b => b.Count, Parallelism);
        _wordCountInterpreted = new(c => WordCountPipeline.Define(PipelineInputs.Repeat(c, lines)), static b => b.Count, Parallelism);
        _hashCompiled = new(c => HashPipeline.Compile(PipelineInputs.Repeat(c, lines)), Xor, Parallelism);
        _hashInterpreted = new(c => HashPipeline.Define(PipelineInputs.Repeat(c, lines)), Xor, Parallelism);
        if (_wordCountCompiled.Step() != _wordCountInterpreted.Step() || _hashCompiled.Step() != _hashInterpreted.Step())
        {
            throw new InvalidOperationException("The compiled and interpreted runs disagree.");
        }
    }

    /// <summary>W2 word count, compiled.</summary>
    [Benchmark]
    public int WordCountCompiled() => _wordCountCompiled!.Step();

    /// <summary>W2 word count, interpreted.</summary>
    [Benchmark]
    public int WordCountInterpreted() => _wordCountInterpreted!.Step();

    /// <summary>Hash of each line, compiled.</summary>
    [Benchmark]
    public ulong HashMapCompiled() => _hashCompiled!.Step();

    /// <summary>Hash of each line, interpreted.</summary>
    [Benchmark]
    public ulong HashMapInterpreted() => _hashInterpreted!.Step();

    /// <summary>Stops the contexts.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        _wordCountCompiled?.Dispose();
        _wordCountInterpreted?.Dispose();
        _hashCompiled?.Dispose();
        _hashInterpreted?.Dispose();
        GC.SuppressFinalize(this);
    }

    private static ulong Xor(Batch<ulong> batch)
    {
        var result = 0UL;
        foreach (var hash in batch.Span)
        {
            result ^= hash;
        }

        return result;
    }
}

/// <summary>
/// Issue 12: the fixed cost of one batch through the runtime (timer, scheduler, stage, output) for an empty batch
/// and a 100-line batch of the compiled word count, at <see cref="StreamingOptions.Parallelism"/> 1 and 2.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Parallelism")]
public class BatchOverheadBenchmarks : IDisposable
{
    private PipelineRun<(string Key, int Value), int>? _run;

    /// <summary>Partitions running at the same time.</summary>
    [Params(1, 2)]
    public int Parallelism { get; set; }

    /// <summary>Lines per batch.</summary>
    [Params(0, 100)]
    public int Records { get; set; }

    /// <summary>Builds the run.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var lines = BenchmarkData.Lines(Records);
        _run = new(c => WordCountPipeline.Compile(PipelineInputs.Repeat(c, lines)), static b => b.Count, Parallelism);
    }

    /// <summary>One batch.</summary>
    [Benchmark]
    public int Batch() => _run!.Step();

    /// <summary>Stops the context.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        _run?.Dispose();
        GC.SuppressFinalize(this);
    }
}
