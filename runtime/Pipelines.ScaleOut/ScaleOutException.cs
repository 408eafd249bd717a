namespace Pipelines.ScaleOut;

/// <summary>A scaled-out application cannot go on: the message says what failed and what to do.</summary>
public sealed class ScaleOutException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed and what to do.</param>
    public ScaleOutException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What failed and what to do.</param>
    /// <param name="innerException">The cause.</param>
    public ScaleOutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
