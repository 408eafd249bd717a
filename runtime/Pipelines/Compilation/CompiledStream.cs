using System.ComponentModel;
using Pipelines.Operators;

namespace Pipelines.Compilation;

/// <summary>
/// Creates the streams of generated <c>Compile…</c> methods: a <see cref="DStream{T}"/> whose batch at each time
/// is computed by a generated stage object from its parents' batches at that time. Called by generated code only.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class CompiledStream
{
    /// <summary>
    /// A stream whose batch at each time is what <paramref name="stage"/> computes from <paramref name="parent"/>'s
    /// batch at that time; no batch when the parent has none.
    /// </summary>
    /// <param name="parent">The input stream.</param>
    /// <param name="name">The stream's name, used in errors (e.g. <c>WordCount.Compile</c>).</param>
    /// <param name="stage">The generated stage; it must not be shared with another stream.</param>
    public static DStream<TOut> Create<TIn, TOut>(DStream<TIn> parent, string name, IBatchStage<TIn, TOut> stage)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(stage);
        var builder = new BatchBuilder<TOut>(0);
        return new TransformedDStream<TIn, TOut>(parent, name, (batch, _) =>
        {
            try
            {
                stage.Process(batch, builder);
            }
            catch
            {
                Discard(builder);
                throw;
            }

            return builder.ToBatch();
        });
    }

    /// <summary>
    /// A stream whose batch at each time is what <paramref name="stage"/> computes from the batches of
    /// <paramref name="left"/> and <paramref name="right"/> at that time (an absent batch is passed as empty);
    /// no batch when neither has one.
    /// </summary>
    /// <param name="left">The first input stream.</param>
    /// <param name="right">The second input stream (same context and slide as <paramref name="left"/>).</param>
    /// <param name="name">The stream's name, used in errors.</param>
    /// <param name="stage">The generated stage; it must not be shared with another stream.</param>
    public static DStream<TOut> Create<TLeft, TRight, TOut>(DStream<TLeft> left, DStream<TRight> right, string name, IBatchStage<TLeft, TRight, TOut> stage)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(stage);
        var builder = new BatchBuilder<TOut>(0);
        return new BinaryTransformedDStream<TLeft, TRight, TOut>(left, right, name, (l, r, _) =>
        {
            try
            {
                stage.Process(l, r, builder);
            }
            catch
            {
                Discard(builder);
                throw;
            }

            return builder.ToBatch();
        });
    }

    /// <summary>Drops what a failed stage added, so the next batch starts from an empty builder.</summary>
    private static void Discard<T>(BatchBuilder<T> builder) => builder.ToBatch().Release();
}
