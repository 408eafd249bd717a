using System.Reflection;
using Pipelines.Compilation;

namespace Pipelines.Benchmarks.Harness;

/// <summary>
/// The generated stage of a pipeline class's <c>Compile</c> (the private nested <c>CompileStage</c> the generator emits),
/// created by reflection so a benchmark can time the fused kernel alone, without the runtime around it.
/// </summary>
public static class CompiledKernelStage
{
    /// <summary>A new instance of <paramref name="pipeline"/>'s generated <c>CompileStage</c>.</summary>
    /// <exception cref="InvalidOperationException">The class has no generated stage of that shape (the definition fell back to the interpreted path).</exception>
    public static IBatchStage<TIn, TOut> Create<TIn, TOut>(Type pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var type = pipeline.GetNestedType("CompileStage", BindingFlags.NonPublic)
            ?? throw new InvalidOperationException($"{pipeline.Name} has no generated CompileStage: its Compile runs interpreted.");
        return Activator.CreateInstance(type, nonPublic: true) as IBatchStage<TIn, TOut>
            ?? throw new InvalidOperationException($"{pipeline.Name}.CompileStage is not an IBatchStage<{typeof(TIn).Name}, {typeof(TOut).Name}>.");
    }
}
