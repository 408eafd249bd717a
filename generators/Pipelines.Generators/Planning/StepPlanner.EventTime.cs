using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Pipelines.Compilation;
using Pipelines.Generators.Model;

namespace Pipelines.Generators.Planning;

/// <summary>The fused event-time windows of a definition (see <see cref="EventTimePlanner"/>).</summary>
internal sealed partial class StepPlanner
{
    /// <summary>The event-time operators fused into generated stages (windows included), after <see cref="Plan"/>.</summary>
    public IReadOnlyCollection<int> FusedEventTimeNodes => [.. _fusedEventTime, .. _fusedEventWindows];

    /// <summary>
    /// The step of a fused event-time window: a stage class that runs the chain from the stream before
    /// <c>WithEventTime</c> to the window's pre-aggregation (or a session window's per-key merge), handed to the runtime's <c>CompiledEventTime</c>; null (and
    /// nothing planned) when the chain reads more than one stream, so the window stays the runtime's.
    /// </summary>
    private (string Code, string Name)? EventWindowStage(EventWindowFusion fusion)
    {
        foreach (var index in fusion.Chain)
        {
            _fusedEventTime.Add(index);
        }

        var window = _nodes[fusion.Window];
        var root = window.Input;
        var inputs = Inputs(root);
        if (inputs.Count != 1)
        {
            _fusedEventTime.ExceptWith(fusion.Chain);
            return null;
        }

        _fusedEventWindows.Add(fusion.Window);
        var stream = Stream(inputs[0]);
        var nodes = _nodes.ToArray();
        foreach (var index in fusion.Chain)
        {
            nodes[index] = nodes[index] with { Operator = EventTimePlanner.AsNarrow(nodes[index].Operator) };
        }

        var input = _nodes[inputs[0]];
        nodes[inputs[0]] = new NodeModel(true, default, 0, -1, -1, input.ElementType, input.KeyType, input.ValueType, EquatableArray<LambdaModel>.Empty);
        var parameters = new[] { new ParameterModel(stream.Name, string.Empty, input.ElementType) }.ToEquatableArray();

        var number = _stages.Count + 1;
        var method = OperatorCatalog.All[(int)window.Operator].Name;
        var stageClass = _names.Fresh(_compileName + "EventTimeStage");
        var streamName = _className + "." + _compileName + (number == 1 ? string.Empty : "#" + number.ToString(CultureInfo.InvariantCulture));
        var graph = _definition with { Nodes = nodes.ToEquatableArray(), Parameters = parameters };
        var output = window.Operator == PipelineOperator.ReduceByKeyAndSessionWindow ? "sessions" : "windows";
        var stage = new StageBuilder(graph, root, stageClass, streamName, output).BuildEventWindow(window);
        _stages.Add(stage);

        var arguments = string.IsNullOrEmpty(fusion.WindowArguments) ? string.Empty : ", " + fusion.WindowArguments;
        var create = $"global::Pipelines.Compilation.CompiledEventTime.{method}({stream.Code}, \"{method}\", new {stageClass}(), maxDelay: {fusion.MaxDelay}{arguments})";
        var variable = _names.Fresh(char.ToLowerInvariant(method[0]) + method.Substring(1));
        var kept = window.Operator == PipelineOperator.ReduceByKeyAndSessionWindow ? "open sessions" : "open windows";
        _steps.Add(new StepPlan(variable, create, $"Fused event-time stage {stageClass}: {Chain(root)} → {method} (the runtime keeps the watermark and the {kept})", null));
        return (variable, variable.TrimStart('@'));
    }
}
