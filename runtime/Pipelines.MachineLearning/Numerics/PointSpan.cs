using System.Runtime.InteropServices;

namespace Pipelines.MachineLearning;

/// <summary>Reads a batch's records as a span when the list is an array or a <see cref="List{T}"/> (no interface call per record).</summary>
internal static class PointSpan
{
    public static bool TryGet<T>(IReadOnlyList<T> records, out ReadOnlySpan<T> span)
    {
        switch (records)
        {
            case T[] array:
                span = array;
                return true;
            case List<T> list:
                span = CollectionsMarshal.AsSpan(list);
                return true;
            default:
                span = default;
                return false;
        }
    }
}
