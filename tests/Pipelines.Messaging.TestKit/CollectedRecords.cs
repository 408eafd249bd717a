using System.Diagnostics;

namespace Pipelines.Messaging.Testing;

/// <summary>Collects what a stream's batches held and the receiver errors the listeners got, for the in-process tests.</summary>
internal sealed class CollectedRecords<T> : IStreamingListener
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);
    private readonly List<T> _records = [];
    private readonly List<ReceiverInfo> _errors = [];

    public IReadOnlyList<T> Records
    {
        get
        {
            lock (_records)
            {
                return [.. _records];
            }
        }
    }

    public IReadOnlyList<ReceiverInfo> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    public void Attach(DStream<T> stream) => stream.ForEachBatch((batch, _) =>
    {
        lock (_records)
        {
            _records.AddRange(batch);
        }
    });

    /// <summary>Waits (up to a hang guard, not a timing assertion) until <paramref name="done"/> holds for the records.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<T>, bool> done, Func<string>? describe = null)
    {
        var clock = Stopwatch.StartNew();
        while (!done(Records))
        {
            if (clock.Elapsed > HangGuard)
            {
                throw new TimeoutException($"The stream did not get the expected records within {HangGuard}: {Records.Count} record(s), errors: {string.Join(" | ", Errors.Select(e => e.Message).Distinct().Take(5))}\n{describe?.Invoke()}");
            }

            await Task.Delay(20);
        }
    }

    public void OnReceiverError(ReceiverInfo receiver)
    {
        lock (_errors)
        {
            _errors.Add(receiver);
        }
    }
}
