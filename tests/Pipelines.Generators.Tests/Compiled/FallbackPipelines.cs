namespace Pipelines.Generators.Tests.Compiled;

/// <summary>Definitions that keep their interpreted path (their Compile methods call Define).</summary>
[StreamingPipeline]
public static partial class FallbackPipelines
{
    /// <summary>The lambda captures the definition's parameter (the analyzer's PIPE002).</summary>
    public static DStream<int> DefineCapture(DStream<int> numbers) => numbers.Map(n => n + numbers.Name.Length);
}
