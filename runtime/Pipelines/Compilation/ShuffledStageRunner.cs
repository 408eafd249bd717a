using Pipelines.Partitioning;

namespace Pipelines.Compilation;

/// <summary>
/// Runs a generated stage that ends with a keyed shuffle as Spark does: the map-side stage runs once per input
/// partition into its own (partition-local) table and emits partial (key, value) results; the partial results are
/// sent to <c>numPartitions</c> output partitions by key hash; the reduce-side stage merges each output partition's
/// partial results and runs what follows the shuffle. Everything is reused across batches.
/// </summary>
internal sealed class ShuffledStageRunner<TIn, TKey, TValue, TOut>
    where TKey : notnull
{
    private readonly PartitionedStageRunner<TIn, (TKey, TValue)> _mapSide;
    private readonly PartitionedStageRunner<(TKey, TValue), TOut> _reduceSide;
    private readonly int _numPartitions;
    private readonly BatchBuilder<(TKey, TValue)>[] _buckets;
    private readonly BatchBuilder<(TKey, TValue)> _exchange = new(0);
    private readonly int[] _exchangeEnds;
    private readonly Batch<(TKey, TValue)> _exchangeView = Batch<(TKey, TValue)>.CreateView();

    public ShuffledStageRunner(Func<IBatchStage<TIn, (TKey, TValue)>> createMapSide, Func<IBatchStage<(TKey, TValue), TOut>> createReduceSide, int numPartitions)
    {
        _mapSide = new PartitionedStageRunner<TIn, (TKey, TValue)>(createMapSide);
        _reduceSide = new PartitionedStageRunner<(TKey, TValue), TOut>(createReduceSide);
        _numPartitions = numPartitions;
        _buckets = new BatchBuilder<(TKey, TValue)>[numPartitions];
        for (var h = 0; h < numPartitions; h++)
        {
            _buckets[h] = new BatchBuilder<(TKey, TValue)>(0);
        }

        _exchangeEnds = new int[numPartitions];
    }

    public void Process(Batch<TIn> input, BatchBuilder<TOut> output, int parallelism)
    {
        try
        {
            _mapSide.Run(input, parallelism);
            Exchange(input.PartitionCount);
            _exchangeView.Rebind(_exchange.Buffer, 0, _exchange.Count, _exchangeEnds);
            _reduceSide.Run(_exchangeView, PartitionLoop.ParallelismFor(_exchange.Count, parallelism));
            _reduceSide.MoveOutputsTo(output, _exchangeView.PartitionCount);
        }
        finally
        {
            _exchangeView.Rebind([], 0, 0, null);
            _exchange.Reset();
            foreach (var bucket in _buckets)
            {
                bucket.Reset();
            }
        }
    }

    /// <summary>Sends each map-side partial result to its key's output partition (input-partition order kept).</summary>
    private void Exchange(int inputPartitions)
    {
        for (var p = 0; p < inputPartitions; p++)
        {
            var partials = _mapSide.Output(p);
            foreach (var partial in partials.WrittenSpan)
            {
                _buckets[HashShuffle.PartitionOf(partial.Item1, _numPartitions)].Add(partial);
            }

            partials.Reset();
        }

        var total = 0;
        foreach (var bucket in _buckets)
        {
            total += bucket.Count;
        }

        _exchange.EnsureCapacity(total);
        for (var h = 0; h < _numPartitions; h++)
        {
            _exchange.AddRange(_buckets[h].WrittenSpan);
            _exchangeEnds[h] = _exchange.Count;
        }
    }
}
