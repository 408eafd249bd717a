namespace Pipelines;

/// <summary>
/// A receiver stopped for good because of an error (for example a socket source that could not reconnect).
/// <see cref="StreamingContext.AwaitTerminationAsync"/> throws it; <see cref="Exception.InnerException"/> holds the cause.
/// </summary>
public sealed class ReceiverException : Exception
{
    /// <summary>Creates the exception for the receiver of input stream <paramref name="streamId"/>.</summary>
    /// <param name="streamId">The id of the input stream the receiver fed.</param>
    /// <param name="receiverName">The receiver's type name.</param>
    /// <param name="reason">What went wrong and what to do about it.</param>
    /// <param name="innerException">The error that made the receiver stop.</param>
    public ReceiverException(int streamId, string receiverName, string reason, Exception? innerException)
        : base($"Receiver {receiverName} of input stream #{streamId} stopped: {reason}", innerException)
    {
        StreamId = streamId;
        ReceiverName = receiverName;
        Reason = reason;
    }

    /// <summary>The id of the input stream the receiver fed.</summary>
    public int StreamId { get; }

    /// <summary>The receiver's type name.</summary>
    public string ReceiverName { get; }

    /// <summary>What went wrong, as the receiver reported it.</summary>
    public string Reason { get; }
}
