using System.Numerics;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using ZLinq;

namespace Pipelines.Benchmarks.MapFilterSum;

/// <summary>W1 written by hand and with each peer library: x * 3, keep the even ones, widen to long, sum.</summary>
public static class MapFilterSumLoops
{
    /// <summary>The plain loop with an <c>if</c>: on random data the branch mispredicts about half the time.</summary>
    public static long PlainIf(ReadOnlySpan<int> values)
    {
        long sum = 0;
        foreach (var x in values)
        {
            var y = x * 3;
            if (y % 2 == 0)
            {
                sum += y;
            }
        }

        return sum;
    }

    /// <summary>The branch-free loop: <c>(y &amp; 1) - 1</c> is all ones for an even y and zero for an odd one.</summary>
    public static long BranchFree(ReadOnlySpan<int> values)
    {
        long sum = 0;
        foreach (var x in values)
        {
            var y = x * 3;
            sum += y & ((y & 1) - 1);
        }

        return sum;
    }

    /// <summary>
    /// The <see cref="Vector{T}"/> loop: masks the odd lanes away, sums in 32-bit lanes for blocks short enough
    /// not to overflow (3,000 × 65,536 &lt; 2³¹), then widens each block's sum into 64-bit lanes.
    /// </summary>
    public static long Vectorized(ReadOnlySpan<int> values)
    {
        const int BlockVectors = 1 << 16;
        var three = new Vector<int>(3);
        var one = Vector<int>.One;
        var total = Vector<long>.Zero;
        var i = 0;
        var lastVector = values.Length - Vector<int>.Count;
        while (i <= lastVector)
        {
            var block = Vector<int>.Zero;
            var blockEnd = Math.Min(lastVector, i + (BlockVectors - 1) * Vector<int>.Count);
            for (; i <= blockEnd; i += Vector<int>.Count)
            {
                var y = new Vector<int>(values[i..]) * three;
                block += y & ((y & one) - one);
            }

            Vector.Widen(block, out var low, out var high);
            total += low + high;
        }

        var sum = Vector.Sum(total);
        for (; i < values.Length; i++)
        {
            var y = values[i] * 3;
            sum += y & ((y & 1) - 1);
        }

        return sum;
    }

    /// <summary>System.Linq.</summary>
    public static long Linq(int[] values) =>
        values.Select(x => x * 3).Where(y => y % 2 == 0).Select(y => (long)y).Sum();

    /// <summary>ZLinq (value-type enumerators, no allocation per operator).</summary>
    public static long ZLinq(int[] values) =>
        values.AsValueEnumerable().Select(x => x * 3).Where(y => y % 2 == 0).Select(y => (long)y).Sum();

    /// <summary>Rx.NET fed by <c>ToObservable</c> (each value scheduled on the current-thread trampoline).</summary>
    public static long RxToObservable(int[] values) => RxSum(values.ToObservable());

    /// <summary>Rx.NET fed by a plain loop inside <c>Observable.Create</c>.</summary>
    public static long RxCreate(int[] values) =>
        RxSum(Observable.Create<int>(observer =>
        {
            foreach (var x in values)
            {
                observer.OnNext(x);
            }

            observer.OnCompleted();
            return Disposable.Empty;
        }));

    private static long RxSum(IObservable<int> source)
    {
        long result = 0;
        var completed = false;
        using (source.Select(x => x * 3).Where(y => y % 2 == 0).Select(y => (long)y).Sum().Subscribe(sum =>
        {
            result = sum;
            completed = true;
        }))
        {
        }

        return completed ? result : throw new InvalidOperationException("The Rx pipeline did not complete synchronously.");
    }
}
