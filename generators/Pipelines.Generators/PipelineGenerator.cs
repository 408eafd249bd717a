using Microsoft.CodeAnalysis;

namespace Pipelines.Generators;

/// <summary>
/// Compiles <c>[StreamingPipeline]</c> classes: each <c>Define…</c> method gets a <c>Compile…</c> twin whose
/// batches run through fused, generated loops.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class PipelineGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
    }
}
