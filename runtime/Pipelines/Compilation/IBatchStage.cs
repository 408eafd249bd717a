using System.ComponentModel;

namespace Pipelines.Compilation;

/// <summary>
/// A generated stage of one input: computes the output batch from the input batch at one batch time.
/// Generated code implements it; it is not meant to be implemented by hand.
/// </summary>
/// <remarks>
/// A stage object belongs to exactly one compiled stream and is called on the job thread only, one batch at a
/// time, so it keeps its hash tables and buffers in fields and reuses them across batches.
/// </remarks>
/// <typeparam name="TIn">The records of the input stream.</typeparam>
/// <typeparam name="TOut">The records of the output stream.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IBatchStage<TIn, TOut>
{
    /// <summary>Adds the records of the output batch for <paramref name="input"/> to <paramref name="output"/>.</summary>
    /// <param name="input">The input batch (read-only; valid for the duration of the call).</param>
    /// <param name="output">An empty builder that receives the output records and partition ends.</param>
    void Process(Batch<TIn> input, BatchBuilder<TOut> output);
}

/// <summary>
/// A generated stage of two inputs (joins and co-groups): computes the output batch from both inputs' batches
/// at one batch time. Generated code implements it; it is not meant to be implemented by hand.
/// </summary>
/// <remarks>Called on the job thread only, one batch at a time; it reuses its hash tables across batches.</remarks>
/// <typeparam name="TLeft">The records of the first input stream.</typeparam>
/// <typeparam name="TRight">The records of the second input stream.</typeparam>
/// <typeparam name="TOut">The records of the output stream.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IBatchStage<TLeft, TRight, TOut>
{
    /// <summary>Adds the records of the output batch for the two inputs to <paramref name="output"/>.</summary>
    /// <param name="left">The first input's batch (empty when that stream has no batch at this time).</param>
    /// <param name="right">The second input's batch (empty when that stream has no batch at this time).</param>
    /// <param name="output">An empty builder that receives the output records.</param>
    void Process(Batch<TLeft> left, Batch<TRight> right, BatchBuilder<TOut> output);
}
