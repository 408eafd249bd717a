namespace Pipelines.Generators.Tests.Compiled;

/// <summary>
/// Definitions that once broke or silently fell back: each must be compiled (see
/// <see cref="SdkCompiledDefinitionsTests"/>) and agree with its definition (see <see cref="DifferentialTests"/>).
/// </summary>
[StreamingPipeline]
public static partial class ScopePipelines
{
    /// <summary>A block lambda returning a reference type with an inferred type argument (Roslyn 5.x listed 'line' as captured).</summary>
    public static DStream<string> DefineTrimmed(DStream<string> lines) =>
        lines.Map(line => { var x = line.Trim(); return x; }).Filter(x => x.Length > 0);

    /// <summary>Two fused lambdas declaring the same out variable and pattern variable (once CS0136 in the generated file).</summary>
    public static DStream<int> DefineSameOutVariables(DStream<string> lines) =>
        lines.Filter(s => int.TryParse(s, out var n) && n > 0)
             .Map(s => int.TryParse(s, out var n) ? n * 2 : 0)
             .Filter(v => v is int n && n % 3 != 0)
             .Map(v => v is int n ? n + 1 : 0);

    /// <summary>nameof of a lambda parameter the generator renames keeps the user's name.</summary>
    public static DStream<string> DefineNameOf(DStream<int> numbers) =>
        numbers.Map(x => x + 1).Map(x => nameof(x) + x);
}
