using Pipelines.Partitioning;

namespace Pipelines.Compilation;

/// <summary>
/// Runs a generated stage once per partition of a batch, up to the context's parallelism at a time. Each running
/// partition takes a stage instance from a pool (so its hash tables are partition-local) and writes into its own
/// builder; instances, builders, batch views and the loop are reused across batches, so a warm batch allocates
/// nothing. Used on the job thread, one batch at a time.
/// </summary>
internal sealed class PartitionedStageRunner<TIn, TOut>
{
    private readonly Func<IBatchStage<TIn, TOut>> _createStage;
    private readonly Action<int, Batch<TIn>>? _bindInput;
    private readonly Action<int, BatchBuilder<TOut>>? _afterPartition;
    private readonly PartitionLoop _loop;
    private readonly object _poolGate = new();
    private IBatchStage<TIn, TOut>[] _free = [];
    private int _freeCount;
    private BatchBuilder<TOut>[] _outputs = [];
    private Batch<TIn>[] _views = [];
    private Batch<TIn> _input = Batch<TIn>.Empty;

    public PartitionedStageRunner(Func<IBatchStage<TIn, TOut>> createStage)
        : this(createStage, bindInput: null, afterPartition: null)
    {
    }

    /// <summary>
    /// A runner whose partition tasks also prepare their input and post-process their output on the worker that runs
    /// them: <paramref name="bindInput"/> points the partition's view at its records (instead of the partition of
    /// the batch passed to <see cref="Run(Batch{TIn}, int, int)"/>), <paramref name="afterPartition"/> runs right after the stage.
    /// </summary>
    public PartitionedStageRunner(Func<IBatchStage<TIn, TOut>> createStage, Action<int, Batch<TIn>>? bindInput, Action<int, BatchBuilder<TOut>>? afterPartition)
    {
        _createStage = createStage;
        _bindInput = bindInput;
        _afterPartition = afterPartition;
        _loop = new PartitionLoop(RunPartition);
    }

    /// <summary>Runs the stage on every partition of <paramref name="input"/>; <see cref="Output"/> then holds each partition's records.</summary>
    public void Run(Batch<TIn> input, int parallelism) => Run(input, input.PartitionCount, parallelism);

    /// <summary>Runs the stage on <paramref name="partitions"/> partitions (bound by the input binder when there is one).</summary>
    public void Run(Batch<TIn> input, int partitions, int parallelism)
    {
        if (_outputs.Length < partitions)
        {
            var size = Math.Max(partitions, _outputs.Length * 2);
            var outputs = new BatchBuilder<TOut>[size];
            var views = new Batch<TIn>[size];
            _outputs.CopyTo(outputs, 0);
            _views.CopyTo(views, 0);
            for (var i = _outputs.Length; i < size; i++)
            {
                outputs[i] = new BatchBuilder<TOut>(0);
                views[i] = Batch<TIn>.CreateView();
            }

            _outputs = outputs;
            _views = views;
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
                _views[p].Rebind([], 0, 0, null);
            }
        }
    }

    /// <summary>What partition <paramref name="index"/> produced in the last run.</summary>
    public BatchBuilder<TOut> Output(int index) => _outputs[index];

    /// <summary>Adds every partition's output to <paramref name="output"/>, one partition each, and empties them.</summary>
    public void MoveOutputsTo(BatchBuilder<TOut> output, int partitions)
    {
        var total = 0;
        for (var p = 0; p < partitions; p++)
        {
            total += _outputs[p].Count;
        }

        output.EnsureCapacity(output.Count + total);
        for (var p = 0; p < partitions; p++)
        {
            output.AddRange(_outputs[p].WrittenSpan);
            _outputs[p].Reset();
            if (partitions > 1)
            {
                output.EndPartition();
            }
        }
    }

    private void RunPartition(int index)
    {
        var stage = Rent();
        try
        {
            var view = _views[index];
            if (_bindInput is null)
            {
                view.RebindToPartition(_input, index);
            }
            else
            {
                _bindInput(index, view);
            }

            var output = _outputs[index];
            output.Reset();
            stage.Process(view, output);
            _afterPartition?.Invoke(index, output);
        }
        finally
        {
            Return(stage);
        }
    }

    private IBatchStage<TIn, TOut> Rent()
    {
        lock (_poolGate)
        {
            if (_freeCount > 0)
            {
                return _free[--_freeCount];
            }
        }

        return _createStage() ?? throw new InvalidOperationException("The generated stage factory returned null.");
    }

    private void Return(IBatchStage<TIn, TOut> stage)
    {
        lock (_poolGate)
        {
            if (_freeCount == _free.Length)
            {
                Array.Resize(ref _free, Math.Max(4, _free.Length * 2));
            }

            _free[_freeCount++] = stage;
        }
    }
}
