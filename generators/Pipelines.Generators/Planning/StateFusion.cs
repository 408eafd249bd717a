using System.Collections.Generic;
using Pipelines.Compilation;
using Pipelines.Generators.Model;

namespace Pipelines.Generators.Planning;

/// <summary>
/// Fuses a compiled stage into the keyed state operator that reads it (<c>UpdateStateByKey</c>, <c>MapWithState</c>):
/// when the stage's stream has no other reader, it is created with <c>CompiledState.FuseIntoState</c>, so the state
/// stream runs the stage itself and its (key, value) records, e.g. a per-batch <c>ReduceByKey</c>'s, go straight
/// into the state's per-batch input instead of a batch of their own. Pure.
/// </summary>
internal static class StateFusion
{
    /// <summary>
    /// The node whose stage should be fused into the state operator <paramref name="state"/> (its input), or -1: the
    /// input must be a fused node (not a source or a runtime operator) of (key, value) records that nothing else reads.
    /// </summary>
    public static int FusedInput(IReadOnlyList<NodeModel> nodes, int root, int state)
    {
        var node = nodes[state];
        if (node.IsSource || node.Operator is not (PipelineOperator.UpdateStateByKey or PipelineOperator.MapWithState) || node.Other >= 0)
        {
            return -1;
        }

        var input = node.Input;
        var inputNode = nodes[input];
        if (input < 0 || input == root || inputNode.IsSource || OperatorCatalog.All[(int)inputNode.Operator].Role == OperatorRole.Boundary
            || inputNode.KeyType is null || inputNode.ValueType is null)
        {
            return -1;
        }

        for (var i = 0; i < nodes.Count; i++)
        {
            if (i != state && !nodes[i].IsSource && (nodes[i].Input == input || nodes[i].Other == input))
            {
                return -1;
            }
        }

        return input;
    }

    /// <summary>
    /// The expression that creates <paramref name="stage"/>'s stream for the state operator after it. A
    /// partition-wise stage runs per partition (records keep their order); a stage ending with a shuffle runs whole
    /// batches only, so each key reaches the state once per batch, as unfused.
    /// </summary>
    public static string Create(StagePlan stage, string input, string keyType, string valueType)
    {
        var partitionWise = stage.Parallel is { MapSide: null };
        var factory = partitionWise ? $"static () => new {stage.ClassName}()" : "null";
        return $"global::Pipelines.Compilation.CompiledState.FuseIntoState<{stage.InputTypes[0]}, {keyType}, {valueType}>({input}, \"{stage.StreamName}\", new {stage.ClassName}(), {factory})";
    }
}
