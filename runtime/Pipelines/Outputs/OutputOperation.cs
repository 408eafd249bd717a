namespace Pipelines;

/// <summary>A registered output operation: runs on each batch of its stream, in registration order.</summary>
internal abstract class OutputOperation(DStream stream, string name)
{
    public int Id { get; set; }

    public string Name { get; } = name;

    public DStream Stream { get; } = stream;

    public abstract ValueTask RunAsync(BatchTime time, CancellationToken cancellationToken);
}

/// <summary>Runs an action on each batch the stream produces (Spark's <c>ForEachDStream</c>).</summary>
internal sealed class ForEachOutput<T>(DStream<T> stream, string name, Func<Batch<T>, BatchTime, CancellationToken, ValueTask> action)
    : OutputOperation(stream, name)
{
    public override ValueTask RunAsync(BatchTime time, CancellationToken cancellationToken) =>
        stream.GetOrCompute(time) is { } batch ? action(batch, time, cancellationToken) : ValueTask.CompletedTask;
}
