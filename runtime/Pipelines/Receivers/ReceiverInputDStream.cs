using Pipelines.Sources;

namespace Pipelines.Receivers;

/// <summary>An input stream fed by a <see cref="Receiver{T}"/> (Spark's <c>ReceiverInputDStream</c>).</summary>
/// <typeparam name="T">The type of the records.</typeparam>
internal sealed partial class ReceiverInputDStream<T> : InputDStream<T>, IInputStreamIdentity
{
    public ReceiverInputDStream(StreamingContext context, Receiver<T> receiver, string name)
        : base(context, name)
    {
        Supervisor = new ReceiverSupervisor<T>(context, receiver, this);
        receiver.Attach(Supervisor);
        Receiver = receiver;
    }

    public Receiver<T> Receiver { get; }

    internal ReceiverSupervisor<T> Supervisor { get; }

    public override void Start() => Supervisor.Start();

    public override Task StopAsync(CancellationToken cancellationToken) => Supervisor.StopAsync(cancellationToken);

    public override bool HasPendingData => Supervisor.PendingCount > 0;

    public override string? SourceIdentity => Receiver.SourceIdentity;

    protected override Batch<T> TakeBatch(BatchTime time) => Supervisor.BlockLog?.Take(time) ?? Supervisor.TakeBatch();
}
