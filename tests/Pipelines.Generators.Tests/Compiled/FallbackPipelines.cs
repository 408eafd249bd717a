namespace Pipelines.Generators.Tests.Compiled;

/// <summary>Definitions that keep their interpreted path (their Compile methods call Define).</summary>
[StreamingPipeline]
public static partial class FallbackPipelines
{
    /// <summary>A delegate held in a field is not compiled (PIPE101, expected here and silenced in the project file).</summary>
    public static DStream<int> DefineDelegateField(DStream<int> numbers) => numbers.Map(n => n + 1).Map(Halve);

    /// <summary>The lambda captures the definition's parameter (the analyzer's PIPE002).</summary>
    public static DStream<int> DefineCapture(DStream<int> numbers) => numbers.Map(n => n + numbers.Name.Length);

    private static readonly Func<int, int> Halve = n => n / 2;
}
