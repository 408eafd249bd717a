using System.Collections.Generic;
using System.Linq;
using Pipelines.Compilation;
using Pipelines.Generators.Model;

namespace Pipelines.Generators.Planning;

/// <summary>
/// Window fusion: a keyed window (<c>ReduceByKeyAndWindow</c>, <c>CountByValueAndWindow</c>, <c>ReduceByWindow</c>,
/// <c>CountByWindow</c>) whose input is one stream gets a stage of its own that reduces each batch straight into the
/// window's slice, and the step calls the runtime's <c>CompiledWindow</c> with that stage and the user's arguments as
/// written (its methods mirror the operators' overloads, parameter names included).
/// </summary>
internal sealed partial class StepPlanner
{
    private readonly HashSet<int> _fusedWindows = [];

    /// <summary>Marks the windows that fuse with their per-batch part (before the per-batch reduces are added for the others).</summary>
    private void FindFusedWindows()
    {
        for (var i = 0; i < _nodes.Count; i++)
        {
            var node = _nodes[i];
            if (node.IsSource || node.Arguments is null || SliceTypes(node) is null)
            {
                continue;
            }

            var reads = node.Operator is PipelineOperator.ReduceByKeyAndWindow or PipelineOperator.ReduceByWindow;
            if (reads && node.Functions.Count != 1)
            {
                continue;
            }

            if (ReadsOneStream(node.Input))
            {
                _fusedWindows.Add(i);
            }
        }
    }

    /// <summary>Whether the chain below <paramref name="index"/> down to its source or runtime operator has no join.</summary>
    private bool ReadsOneStream(int index)
    {
        while (true)
        {
            var node = _nodes[index];
            if (node.IsSource || IsRuntime(node))
            {
                return true;
            }

            if (node.Other >= 0)
            {
                return false;
            }

            index = node.Input;
        }
    }

    /// <summary>The key and value types of the window's slices, or null when the operator does not fuse.</summary>
    private (string Key, string Value)? SliceTypes(NodeModel window)
    {
        var input = _nodes[window.Input];
        return window.Operator switch
        {
            PipelineOperator.ReduceByKeyAndWindow when input is { KeyType: { } key, ValueType: { } value } => (key, value),
            PipelineOperator.CountByValueAndWindow => (input.ElementType, "long"),
            PipelineOperator.ReduceByWindow => ("byte", input.ElementType),
            PipelineOperator.CountByWindow => ("byte", "long"),
            _ => null,
        };
    }

    /// <summary>The step of a fused window: its slice stage over the window's input stream, and the runtime call.</summary>
    private (string Code, string Name) FusedWindow(int index)
    {
        var window = _nodes[index];
        var (keyType, valueType) = SliceTypes(window)!.Value;
        var root = window.Input;
        var inputs = IsInput(root) ? new List<int> { root } : Inputs(root);
        var streams = inputs.Select(Stream).ToList();
        var nodes = _nodes.ToArray();
        var parameters = new List<ParameterModel>();
        for (var k = 0; k < inputs.Count; k++)
        {
            var input = _nodes[inputs[k]];
            nodes[inputs[k]] = new NodeModel(true, default, k, -1, -1, input.ElementType, input.KeyType, input.ValueType, EquatableArray<LambdaModel>.Empty);
            parameters.Add(new ParameterModel(streams[k].Name, string.Empty, input.ElementType));
        }

        var number = _stages.Count + 1;
        var method = OperatorCatalog.All[(int)window.Operator].Name;
        var stageClass = _names.Fresh(_compileName + method + "Stage");
        var streamName = _className + "." + _compileName + (number == 1 ? string.Empty : "#" + number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var graph = _definition with { Nodes = nodes.ToEquatableArray(), Parameters = parameters.ToEquatableArray() };
        var stage = new StageBuilder(graph, root, stageClass, streamName, "slice").BuildWindowSlice(window, keyType, valueType);
        _stages.Add(stage);

        var variable = _names.Fresh(Camel(window.Operator.ToString()));
        var arguments = string.IsNullOrEmpty(window.Arguments) ? string.Empty : ", " + window.Arguments;
        // Explicit type arguments: the factory lambda alone cannot fix the key type for inference (C#'s second phase
        // fixes a type variable nothing depends on before reading a lambda's return type).
        var inputType = stage.InputTypes[0];
        var typeArguments = window.Operator switch
        {
            PipelineOperator.ReduceByKeyAndWindow => $"{inputType}, {keyType}, {valueType}",
            PipelineOperator.CountByValueAndWindow => $"{inputType}, {keyType}",
            PipelineOperator.ReduceByWindow => $"{inputType}, {valueType}",
            _ => inputType,
        };
        var call = $"global::Pipelines.Compilation.CompiledWindow.{method}<{typeArguments}>({streams[0].Code}, static () => new {stageClass}(){arguments})";
        var chain = root == inputs[0] ? method : Chain(root) + " → " + method;
        _steps.Add(new StepPlan(variable, call, $"The runtime's {method}, each batch reduced by {stageClass} straight into the window's slice: {chain}", method));
        return (variable, variable.TrimStart('@'));
    }
}
