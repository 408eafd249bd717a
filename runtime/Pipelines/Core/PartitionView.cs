using System.Collections;

namespace Pipelines;

/// <summary>A read-only view of one partition of a batch, handed to <c>MapBatch</c> functions.</summary>
internal sealed class PartitionView<T>(T[] items, int start, int count) : IReadOnlyList<T>
{
    public int Count => count;

    public T this[int index] => (uint)index < (uint)count ? items[start + index] : throw new ArgumentOutOfRangeException(nameof(index));

    public IEnumerator<T> GetEnumerator()
    {
        for (var i = 0; i < count; i++)
        {
            yield return items[start + i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
