using Pipelines.Compilation;

namespace Pipelines.Windows;

/// <summary>The interpreted per-batch part of <c>CountByValueAndWindow</c>: each record's count into the slice.</summary>
internal sealed class CountSliceStage<T> : IWindowSliceStage<T, T, long>
    where T : notnull
{
    public void Process(Batch<T> input, WindowSliceWriter<T, long> slice)
    {
        for (var p = 0; p < input.PartitionCount; p++)
        {
            foreach (var value in input.GetPartition(p))
            {
                slice.GetValueRef(value, out _)++;
            }
        }
    }
}

/// <summary>The interpreted per-batch part of <c>CountByWindow</c>: the batch's record count under key 0 (nothing for an empty batch).</summary>
internal sealed class RecordCountSliceStage<T> : IWindowSliceStage<T, byte, long>
{
    public void Process(Batch<T> input, WindowSliceWriter<byte, long> slice)
    {
        if (input.Count > 0)
        {
            slice.GetValueRef(0, out _) = input.Count;
        }
    }
}

/// <summary>The interpreted per-batch part of <c>ReduceByWindow</c>: the batch's records reduced in order under key 0.</summary>
internal sealed class ReduceSliceStage<T>(Func<T, T, T> reduce) : IWindowSliceStage<T, byte, T>
{
    public void Process(Batch<T> input, WindowSliceWriter<byte, T> slice)
    {
        for (var p = 0; p < input.PartitionCount; p++)
        {
            foreach (var value in input.GetPartition(p))
            {
                ref var total = ref slice.GetValueRef(0, out var exists);
                total = exists ? reduce(total, value) : value;
            }
        }
    }
}
