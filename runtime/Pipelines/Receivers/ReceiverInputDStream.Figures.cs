namespace Pipelines.Receivers;

/// <summary>The receiver stream's figures for <see cref="StreamingContext.DescribeInputs"/>.</summary>
internal sealed partial class ReceiverInputDStream<T>
{
    public override double? RateLimit => Supervisor.RateLimit;

    public override long? WriteAheadLogBytes
    {
        get
        {
            if (Supervisor.BlockLog is not { } blockLog)
            {
                return null;
            }

            // Segments may be trimmed while they are measured: measure again, then give up for this call.
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    return blockLog.Log.DiskBytes;
                }
                catch (IOException) when (attempt < 2)
                {
                }
                catch (IOException)
                {
                    return null;
                }
            }
        }
    }
}
