namespace Pipelines;

/// <summary>
/// A user function or an operator failed while computing a batch. The batch fails; state and windows keep
/// what they held before it, and the next batch proceeds.
/// </summary>
public sealed class StreamingOperatorException : Exception
{
    /// <summary>Creates the exception for <paramref name="operatorName"/> failing at <paramref name="batchTime"/>.</summary>
    public StreamingOperatorException(string operatorName, BatchTime batchTime, Exception innerException)
        : base($"{operatorName} failed while computing the batch at {batchTime}: {innerException.Message}", innerException)
    {
        OperatorName = operatorName;
        BatchTime = batchTime;
    }

    /// <summary>The operator whose function threw (e.g. <c>Map</c>).</summary>
    public string OperatorName { get; }

    /// <summary>The time of the batch that failed.</summary>
    public BatchTime BatchTime { get; }
}
