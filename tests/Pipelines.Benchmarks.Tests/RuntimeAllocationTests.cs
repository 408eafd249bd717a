using System.Collections.Concurrent;
using Xunit.Abstractions;
using Pipelines.Benchmarks.Data;
using Pipelines.Benchmarks.MapFilterSum;
using Pipelines.Benchmarks.WordCount;
using Pipelines.Testing;

namespace Pipelines.Benchmarks.Tests;

/// <summary>
/// A warm batch allocates nothing end to end through the runtime, for W1 and W2 (known vocabulary), run as the
/// benchmarks run them (a <see cref="StreamingContext"/> on a <see cref="ManualClock"/>, a queue stream repeating the
/// batch, the generated <c>Compile</c>, a <c>ForEachBatch</c> output).
/// </summary>
/// <remarks>
/// Measured per thread with <see cref="GC.GetAllocatedBytesForCurrentThread"/>, so the test host's own threads do not
/// count: the stepping thread (advancing the clock runs the timer, seals the input and queues the batch) and the job
/// loop. The clock advances two batch intervals at a time, so the job loop finds the second batch queued and runs it
/// straight after the first, on the same thread: the bytes between the two outputs are one full cycle of the job loop
/// (the first batch's end: forgetting old batches, metrics, completion; taking the next batch from the queue; computing
/// it up to its output), with no other work on that thread in between (a pool thread that waited for a batch may have
/// run the test host's work items meanwhile, so cycles across a wait are not counted). Allocation counts are
/// deterministic: the expected figure is exactly 0 B.
/// </remarks>
[Collection(nameof(RuntimeAllocationTests))]
[CollectionDefinition(nameof(RuntimeAllocationTests), DisableParallelization = true)]
public sealed class RuntimeAllocationTests(ITestOutputHelper output)
{
    private const int Pairs = 200;

    [Fact]
    public void W1_map_filter_sum_allocates_nothing_per_warm_batch_through_the_runtime()
    {
        var values = BenchmarkData.Integers(10_000);
        using var run = new PairedRun<int, long>(values, MapFilterSumPipeline.Compile, static b => b.Count == 0 ? 0 : b[0], parallelism: 1);

        var (stepping, job) = run.Measure(warmPairs: 150, Pairs);

        output.WriteLine($"W1: stepping thread {stepping} B, job loop {job} B over {Pairs} pairs of warm batches");
        AssertNothingAllocated("W1", stepping, job);
        Assert.Equal(MapFilterSumLoops.PlainIf(values), run.LastResult);
    }

    [Fact]
    public void W2_word_count_allocates_nothing_per_warm_batch_through_the_runtime()
    {
        var lines = BenchmarkData.Lines(1_000);
        using var run = new PairedRun<string, (string Key, int Value)>(lines, WordCountPipeline.Compile, static b => b.Count, parallelism: 1);

        var (stepping, job) = run.Measure(warmPairs: 150, Pairs);

        output.WriteLine($"W2: stepping thread {stepping} B, job loop {job} B over {Pairs} pairs of warm batches");
        AssertNothingAllocated("W2", stepping, job);
        Assert.Equal(new SpanWordCounter().Count(lines), run.LastResult);
    }

    [Fact]
    public void W2_word_count_in_parallel_partitions_allocates_nothing_per_warm_batch_on_the_job_loop()
    {
        // Three input partitions: the map side runs per partition (the job loop takes part, a pool thread helps), the
        // partial results are shuffled and reduced in parallel. The map-side stage instances take partitions in any
        // order, so each learns the vocabulary (a string per new word) over the first batches: a longer warm-up. The
        // helper is any pool thread, so only the job loop's and the stepping thread's bytes are measured.
        var lines = BenchmarkData.Lines(2_400);
        using var run = new PairedRun<string, (string Key, int Value)>(lines, WordCountPipeline.Compile, static b => b.Count, parallelism: 2, inputPartitionRecords: 800);

        var (stepping, job) = run.Measure(warmPairs: 500, Pairs);

        output.WriteLine($"W2 in parallel: stepping thread {stepping} B, job loop {job} B over {Pairs} pairs of warm batches");
        AssertNothingAllocated("W2 in parallel", stepping, job);
        Assert.Equal(new SpanWordCounter().Count(lines), run.LastResult);
    }

    private static void AssertNothingAllocated(string workload, long stepping, long job)
    {
        Assert.True(stepping == 0, $"{workload}: the stepping thread (clock, timer, input) allocated {stepping} B over {2 * Pairs} warm batches; expected 0 B");
        Assert.True(job == 0, $"{workload}: the job loop allocated {job} B over {Pairs} warm batch cycles; expected 0 B");
    }

    /// <summary>A pipeline run that advances the clock two batches at a time and records the job loop's bytes at each output.</summary>
    private sealed class PairedRun<TIn, TOut> : IDisposable
    {
        private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);
        private readonly ManualClock _clock = new();
        private readonly StreamingContext _context;
        private readonly SemaphoreSlim _done = new(0);
        private readonly Func<Batch<TOut>, long> _result;
        private int _seen;
        private int[] _threads = [];
        private long[] _bytes = [];

        public PairedRun(TIn[] records, Func<DStream<TIn>, DStream<TOut>> compile, Func<Batch<TOut>, long> result, int parallelism, int? inputPartitionRecords = null)
        {
            _result = result;
            _context = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions
            {
                TimeProvider = _clock,
                Parallelism = parallelism,
                InputPartitionRecords = inputPartitionRecords ?? new StreamingOptions().InputPartitionRecords,
            });
            var input = _context.QueueStream(new ConcurrentQueue<IEnumerable<TIn>>(), oneAtATime: true, defaultBatch: records);
            compile(input).ForEachBatch(OnBatch);
            _context.Start();
        }

        public long LastResult { get; private set; }

        /// <summary>Runs <paramref name="warmPairs"/> pairs, then <paramref name="pairs"/> measured pairs; returns the bytes of each thread.</summary>
        public (long Stepping, long Job) Measure(int warmPairs, int pairs)
        {
            for (var i = 0; i < warmPairs; i++)
            {
                StepPair();
            }

            _threads = new int[2 * pairs];
            _bytes = new long[2 * pairs];
            _seen = 0;
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < pairs; i++)
            {
                StepPair();
            }

            var stepping = GC.GetAllocatedBytesForCurrentThread() - before;
            long job = 0;
            for (var i = 0; i < pairs; i++)
            {
                Assert.Equal(_threads[2 * i], _threads[(2 * i) + 1]); // the second batch of a pair ran right after the first
                job += _bytes[(2 * i) + 1] - _bytes[2 * i];
            }

            _threads = [];
            return (stepping, job);
        }

        public void Dispose()
        {
            _context.StopAsync(graceful: false).Wait(HangGuard);
            _done.Dispose();
        }

        private void StepPair()
        {
            _clock.Advance(2 * _context.BatchInterval);
            for (var i = 0; i < 2; i++)
            {
                if (!_done.Wait(HangGuard))
                {
                    throw new TimeoutException($"A batch did not reach the output within {HangGuard}.");
                }
            }
        }

        private void OnBatch(Batch<TOut> batch, BatchTime time)
        {
            LastResult = _result(batch);
            var index = _seen;
            if (index < _threads.Length)
            {
                _threads[index] = Environment.CurrentManagedThreadId;
                _bytes[index] = GC.GetAllocatedBytesForCurrentThread();
                _seen = index + 1;
            }

            _done.Release();
        }
    }
}
