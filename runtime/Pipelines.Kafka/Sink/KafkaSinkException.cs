namespace Pipelines.Kafka;

/// <summary>
/// A batch could not be written to Kafka exactly once: its transaction was aborted (nothing of it is visible to
/// <c>read_committed</c> consumers), or the producer was fenced by another instance with the same transactional id.
/// The message says which batch and what to do.
/// </summary>
public sealed class KafkaSinkException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KafkaSinkException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public KafkaSinkException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
