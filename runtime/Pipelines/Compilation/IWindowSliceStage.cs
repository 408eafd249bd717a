using System.ComponentModel;

namespace Pipelines.Compilation;

/// <summary>
/// A generated stage fused into a keyed window (<c>ReduceByKeyAndWindow</c>, <c>CountByValueAndWindow</c>,
/// <c>ReduceByWindow</c>, <c>CountByWindow</c>): reduces one parent batch straight into the window's slice for that
/// batch, with no intermediate batch of pairs. Generated code implements it; it is not meant to be implemented by hand.
/// </summary>
/// <remarks>
/// The window calls <see cref="Process"/> once for each parent batch that enters it, on the job thread, one batch
/// at a time, so a stage may keep reusable buffers in fields. If it throws, the window fails and stays as it was.
/// </remarks>
/// <typeparam name="TIn">The records of the window's parent stream.</typeparam>
/// <typeparam name="TKey">The window's keys (<see cref="byte"/> 0 for the unkeyed windows).</typeparam>
/// <typeparam name="TValue">The window's per-key values.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IWindowSliceStage<TIn, TKey, TValue>
    where TKey : notnull
{
    /// <summary>Reduces <paramref name="input"/> by key into <paramref name="slice"/> (which starts empty).</summary>
    /// <param name="input">The parent batch (read-only; valid for the duration of the call).</param>
    /// <param name="slice">The window's slice for this batch: one value per key, looked up by key.</param>
    void Process(Batch<TIn> input, WindowSliceWriter<TKey, TValue> slice);
}
