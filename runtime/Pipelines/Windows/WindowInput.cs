namespace Pipelines.Windows;

/// <summary>
/// Reads the parent batches a windowed stream covers. A parent batch that failed (its computation threw) fails
/// the window that first needed it; later windows skip it, as if it were empty, so one failed batch does not
/// fail every window that still spans its time.
/// </summary>
internal sealed class WindowInput<T>
{
    private readonly SortedDictionary<BatchTime, BatchTime> _failed = [];

    public WindowInput(DStream<T> parent) => Parent = parent;

    public DStream<T> Parent { get; }

    /// <summary>The parent's valid batch times in (<paramref name="after"/>, <paramref name="upTo"/>], in order.</summary>
    public IEnumerable<BatchTime> Times(BatchTime after, BatchTime upTo)
    {
        var zero = Parent.ZeroTime ?? throw new InvalidOperationException($"{Parent.Name} has not been initialized: start the StreamingContext first.");
        var slide = BatchTime.ToMilliseconds(Parent.SlideDuration);
        var steps = Math.Max(0, Math.DivRem(after.Milliseconds - zero.Milliseconds, slide, out var rem) - (rem < 0 ? 1 : 0)) + 1;
        for (var time = new BatchTime(zero.Milliseconds + (steps * slide)); time <= upTo; time += Parent.SlideDuration)
        {
            yield return time;
        }
    }

    /// <summary>
    /// The parent batch at <paramref name="parentTime"/> for the window at <paramref name="windowTime"/>, or
    /// <c>null</c> when an earlier window saw that batch fail.
    /// </summary>
    public Batch<T>? Read(BatchTime parentTime, BatchTime windowTime)
    {
        if (IsSkipped(parentTime, windowTime))
        {
            return null;
        }

        try
        {
            return Parent.GetOrCompute(parentTime);
        }
        catch (StreamingOperatorException)
        {
            MarkFailed(parentTime, windowTime);
            throw;
        }
    }

    /// <summary>Records that the parent batch at <paramref name="parentTime"/> failed the window at <paramref name="windowTime"/>.</summary>
    public void MarkFailed(BatchTime parentTime, BatchTime windowTime) => _failed.TryAdd(parentTime, windowTime);

    /// <summary>Whether the window at <paramref name="windowTime"/> skips the parent batch at <paramref name="parentTime"/>.</summary>
    public bool IsSkipped(BatchTime parentTime, BatchTime windowTime) =>
        _failed.TryGetValue(parentTime, out var failedAt) && failedAt < windowTime;

    /// <summary>Forgets failures at or before <paramref name="time"/>: no later window covers them.</summary>
    public void ForgetUpTo(BatchTime time)
    {
        while (_failed.Count > 0)
        {
            var oldest = _failed.First().Key;
            if (oldest > time)
            {
                return;
            }

            _failed.Remove(oldest);
        }
    }
}
