using Pipelines.Partitioning;

namespace Pipelines.Compilation;

/// <summary>
/// Runs a generated stage that ends with a keyed shuffle as Spark does: the map-side stage runs once per input
/// partition into its own (partition-local) table and emits partial (key, value) results, which the same task
/// splits by key hash into one bucket per output partition; then each output partition's task gathers its buckets
/// from every input partition (in input-partition order), merges them with the reduce-side stage and runs what
/// follows the shuffle. Every step but the final hand-over of the output runs on the partition's worker, so the
/// shuffle adds no serial pass over the partial results. Everything is reused across batches.
/// </summary>
internal sealed class ShuffledStageRunner<TIn, TKey, TValue, TOut>
    where TKey : notnull
{
    private readonly PartitionedStageRunner<TIn, (TKey, TValue)> _mapSide;
    private readonly PartitionedStageRunner<(TKey, TValue), TOut> _reduceSide;
    private readonly int _numPartitions;

    // _sent[p][h]: what input partition p sends to output partition h; _gathered[h]: output partition h's input.
    private BatchBuilder<(TKey, TValue)>[][] _sent = [];
    private readonly BatchBuilder<(TKey, TValue)>[] _gathered;
    private int _inputPartitions;

    public ShuffledStageRunner(Func<IBatchStage<TIn, (TKey, TValue)>> createMapSide, Func<IBatchStage<(TKey, TValue), TOut>> createReduceSide, int numPartitions)
    {
        _numPartitions = numPartitions;
        _mapSide = new PartitionedStageRunner<TIn, (TKey, TValue)>(createMapSide, bindInput: null, afterPartition: Send);
        _reduceSide = new PartitionedStageRunner<(TKey, TValue), TOut>(createReduceSide, bindInput: Gather, afterPartition: null);
        _gathered = new BatchBuilder<(TKey, TValue)>[numPartitions];
        for (var h = 0; h < numPartitions; h++)
        {
            _gathered[h] = new BatchBuilder<(TKey, TValue)>(0);
        }
    }

    public void Process(Batch<TIn> input, BatchBuilder<TOut> output, int parallelism)
    {
        var inputs = input.PartitionCount;
        EnsureSendBuckets(inputs);
        _inputPartitions = inputs;
        try
        {
            _mapSide.Run(input, parallelism);
            _reduceSide.Run(Batch<(TKey, TValue)>.Empty, _numPartitions, PartitionLoop.ParallelismFor(CountSent(inputs), parallelism));
            _reduceSide.MoveOutputsTo(output, _numPartitions);
        }
        finally
        {
            // On success these are empty already; after a failure they drop what the failed batch left.
            for (var p = 0; p < inputs; p++)
            {
                _mapSide.Output(p).Reset();
                foreach (var bucket in _sent[p])
                {
                    bucket.Reset();
                }
            }

            foreach (var gathered in _gathered)
            {
                gathered.Reset();
            }
        }
    }

    /// <summary>On the map-side worker: splits partition <paramref name="p"/>'s partial results by key hash.</summary>
    private void Send(int p, BatchBuilder<(TKey, TValue)> partials)
    {
        var buckets = _sent[p];
        foreach (var partial in partials.WrittenSpan)
        {
            buckets[HashShuffle.PartitionOf(partial.Item1, _numPartitions)].Add(partial);
        }

        partials.Reset();
    }

    /// <summary>On the reduce-side worker: output partition <paramref name="h"/>'s records from every input partition, in order.</summary>
    private void Gather(int h, Batch<(TKey, TValue)> view)
    {
        var gathered = _gathered[h];
        gathered.Reset();
        var total = 0;
        for (var p = 0; p < _inputPartitions; p++)
        {
            total += _sent[p][h].Count;
        }

        gathered.EnsureCapacity(total);
        for (var p = 0; p < _inputPartitions; p++)
        {
            var bucket = _sent[p][h];
            gathered.AddRange(bucket.WrittenSpan);
            bucket.Reset();
        }

        view.Rebind(gathered.Buffer, 0, gathered.Count, null);
    }

    private int CountSent(int inputs)
    {
        var total = 0;
        for (var p = 0; p < inputs; p++)
        {
            foreach (var bucket in _sent[p])
            {
                total += bucket.Count;
            }
        }

        return total;
    }

    private void EnsureSendBuckets(int inputs)
    {
        if (_sent.Length >= inputs)
        {
            return;
        }

        var sent = new BatchBuilder<(TKey, TValue)>[Math.Max(inputs, _sent.Length * 2)][];
        _sent.CopyTo(sent, 0);
        for (var p = _sent.Length; p < sent.Length; p++)
        {
            sent[p] = new BatchBuilder<(TKey, TValue)>[_numPartitions];
            for (var h = 0; h < _numPartitions; h++)
            {
                sent[p][h] = new BatchBuilder<(TKey, TValue)>(0);
            }
        }

        _sent = sent;
    }
}
