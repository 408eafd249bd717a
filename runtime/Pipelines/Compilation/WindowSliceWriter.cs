using System.ComponentModel;
using Pipelines.Windows;

namespace Pipelines.Compilation;

/// <summary>
/// Where an <see cref="IWindowSliceStage{TIn, TKey, TValue}"/> writes the per-key values of one parent batch: the
/// window's own slice for that batch, keys interned once into the window's key ids (a key seen in an earlier batch
/// costs no allocation). Called by generated code only.
/// </summary>
/// <typeparam name="TKey">The window's keys.</typeparam>
/// <typeparam name="TValue">The per-key values.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class WindowSliceWriter<TKey, TValue>
    where TKey : notnull
{
    private readonly KeyedWindowTable<TKey, TValue> _table;

    internal WindowSliceWriter(KeyedWindowTable<TKey, TValue> table) => _table = table;

    /// <summary>
    /// The value of <paramref name="key"/> in this batch's slice; <paramref name="exists"/> tells whether the key
    /// already has a value in this batch (otherwise the value is <c>default</c>, to be set by the caller). The
    /// reference is valid until the next call.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="exists">Whether <paramref name="key"/> already had a value in this batch.</param>
    public ref TValue GetValueRef(TKey key, out bool exists) => ref _table.SliceValueRef(_table.Intern(key), out exists);

    /// <summary>
    /// The value of the string key spelled by <paramref name="key"/> in this batch's slice (as
    /// <see cref="GetValueRef(TKey, out bool)"/>); only a key new to the window allocates its string.
    /// </summary>
    /// <param name="key">The key's characters.</param>
    /// <param name="exists">Whether the key already had a value in this batch.</param>
    /// <exception cref="InvalidOperationException">The window's keys are not strings.</exception>
    public ref TValue GetValueRef(ReadOnlySpan<char> key, out bool exists) => ref _table.SliceValueRef(_table.Intern(key), out exists);
}
