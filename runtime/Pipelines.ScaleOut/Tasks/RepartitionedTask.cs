using Confluent.Kafka;

namespace Pipelines.ScaleOut;

/// <summary>The work of one partition number when the pipeline repartitions: the input partition's writer and the repartition partition's reader.</summary>
internal sealed class RepartitionedTask<TKey, TValue, TOut>(RepartitionWriter<TKey, TValue, TOut> writer, KeyedReader<TKey, TValue, TOut> reader) : IPartitionWork
{
    public static RepartitionedTask<TKey, TValue, TOut> Open(ScaleOutApplication<TKey, TValue, TOut> runtime, TopicPartition partition)
    {
        var writer = RepartitionWriter<TKey, TValue, TOut>.Open(runtime, partition);
        try
        {
            return new RepartitionedTask<TKey, TValue, TOut>(writer, KeyedReader<TKey, TValue, TOut>.Open(runtime, partition.Partition.Value));
        }
        catch
        {
            writer.DisposeAsync().AsTask().Wait(runtime.Options.RequestTimeout);
            throw;
        }
    }

    public void RunUntil(BatchTime time, Func<bool> stop)
    {
        writer.RunUntil(time, stop);
        reader.RunUntil(time, stop);
    }

    public async ValueTask DisposeAsync()
    {
        await writer.DisposeAsync().ConfigureAwait(false);
        await reader.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>What the batch loop runs for one owned partition.</summary>
internal interface IPartitionWork : IAsyncDisposable
{
    /// <summary>Runs the partition's batches up to and including <paramref name="time"/>, unless <paramref name="stop"/> says to stop between two.</summary>
    void RunUntil(BatchTime time, Func<bool> stop);
}
