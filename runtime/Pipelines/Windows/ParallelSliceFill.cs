using Pipelines.Compilation;
using Pipelines.Partitioning;

namespace Pipelines.Windows;

/// <summary>
/// Fills a window's slice for one parent batch with the batch's partitions reduced at the same time: each partition
/// runs a stage instance of its own into a partition-local table (keys interned there, values reduced there), and
/// the partial values are then merged into the window's slice partition by partition, in order, with the reducer.
/// The result equals the sequential fill for the associative reducers windows require, keys in the same first-seen
/// order. Instances, tables and views are reused across batches; used on the job thread, one batch at a time.
/// </summary>
internal sealed class ParallelSliceFill<TIn, TKey, TValue>
    where TKey : notnull
{
    /// <summary>Above this many interned keys (and four times the last partial's keys) a partition forgets its keys.</summary>
    private const int ForgetThreshold = 1 << 16;

    private readonly Func<IWindowSliceStage<TIn, TKey, TValue>> _createStage;
    private readonly PartitionLoop _loop;
    private Worker[] _workers = [];
    private Batch<TIn> _input = Batch<TIn>.Empty;

    public ParallelSliceFill(Func<IWindowSliceStage<TIn, TKey, TValue>> createStage)
    {
        _createStage = createStage;
        _loop = new PartitionLoop(RunPartition);
    }

    /// <summary>Reduces <paramref name="input"/>'s partitions at the same time, then merges them into the slice <paramref name="table"/> is filling.</summary>
    public void Fill(Batch<TIn> input, int parallelism, KeyedWindowTable<TKey, TValue> table, Func<TValue, TValue, TValue> reduce)
    {
        var partitions = input.PartitionCount;
        if (_workers.Length < partitions)
        {
            var workers = new Worker[partitions];
            _workers.CopyTo(workers, 0);
            for (var i = _workers.Length; i < partitions; i++)
            {
                workers[i] = new Worker(_createStage() ?? throw new InvalidOperationException("The window's stage factory returned null."));
            }

            _workers = workers;
        }

        _input = input;
        try
        {
            _loop.Run(partitions, parallelism);
        }
        finally
        {
            _input = Batch<TIn>.Empty;
            for (var p = 0; p < partitions; p++)
            {
                _workers[p].View.Rebind([], 0, 0, null);
            }
        }

        // Merge in partition order (user code: the reducer); a throw leaves the partial slices to the next Fill's reset.
        for (var p = 0; p < partitions; p++)
        {
            var worker = _workers[p];
            var partial = worker.Slice;
            for (var i = 0; i < partial.Count; i++)
            {
                ref var total = ref table.SliceValueRef(table.Intern(worker.Table.KeyOf(partial.Ids[i])), out var exists);
                total = exists ? reduce(total, partial.Values[i]) : partial.Values[i];
            }
        }

        for (var p = 0; p < partitions; p++)
        {
            _workers[p].Forget();
        }
    }

    private void RunPartition(int index)
    {
        var worker = _workers[index];
        worker.View.RebindToPartition(_input, index);
        worker.Run();
    }

    /// <summary>One partition's stage instance, its partition-local table and its partial slice.</summary>
    private sealed class Worker
    {
        private static readonly bool ValuesHoldReferences = System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<TValue>();

        private readonly IWindowSliceStage<TIn, TKey, TValue> _stage;
        private readonly WindowSliceWriter<TKey, TValue> _writer;

        public Worker(IWindowSliceStage<TIn, TKey, TValue> stage)
        {
            _stage = stage;
            _writer = new WindowSliceWriter<TKey, TValue>(Table);
            Slice = Table.RentSlice(default);
        }

        public KeyedWindowTable<TKey, TValue> Table { get; } = new();

        public Batch<TIn> View { get; } = Batch<TIn>.CreateView();

        public WindowSlice<TValue> Slice { get; }

        public void Run()
        {
            Slice.Clear(ValuesHoldReferences);
            Table.BeginStep();
            Table.BeginSlice(Slice);
            try
            {
                _stage.Process(View, _writer);
            }
            finally
            {
                Table.EndSlice();
            }
        }

        /// <summary>Keeps the interned keys for the next batches unless the table grew far beyond the batches' keys.</summary>
        public void Forget()
        {
            if (Table.InternedKeyCount > ForgetThreshold && Table.InternedKeyCount > 4 * Slice.Count)
            {
                Table.Clear();
            }
        }
    }
}
