namespace Pipelines;

/// <summary>
/// A checkpoint could not be written, or no usable checkpoint could be read, or the checkpoint belongs to a
/// different pipeline definition. The message says which folder and file, what was wrong and what to do.
/// </summary>
public sealed class CheckpointException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CheckpointException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the error that caused it.</summary>
    public CheckpointException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
