using System.Linq;
using Pipelines.Generators.Planning;

namespace Pipelines.Generators.Emitting;

/// <summary>What differs in the emitted class of a stage fused into a keyed window (<see cref="WindowSlicePlan"/>).</summary>
internal static class WindowEmitter
{
    /// <summary>The interface the stage implements and its <c>Process</c> parameters: the input batch and the window's slice.</summary>
    public static (string Interface, string Parameters) Signature(StagePlan stage, WindowSlicePlan slice)
    {
        var input = stage.InputTypes[0];
        var types = $"{input}, {slice.KeyType}, {slice.ValueType}";
        var batches = string.Join(", ", stage.InputTypes.Select((type, i) => $"global::Pipelines.Batch<{type}> {stage.InputNames[i]}"));
        return (
            $"global::Pipelines.Compilation.IWindowSliceStage<{types}>",
            $"{batches}, global::Pipelines.Compilation.WindowSliceWriter<{slice.KeyType}, {slice.ValueType}> {stage.OutputName}");
    }

    /// <summary>The summary of a window slice stage's class.</summary>
    public static string Summary(string compileName) =>
        $"The fused per-batch part of a window in <c>{compileName}</c>: each batch reduced by key straight into the window's slice; one instance for the job thread and one per partition reduced at the same time.";
}
