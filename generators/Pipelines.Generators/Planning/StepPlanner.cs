using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Pipelines.Compilation;
using Pipelines.Generators.Model;

namespace Pipelines.Generators.Planning;

/// <summary>
/// Cuts a definition's graph into the steps of its <c>Compile…</c> method: fused stages (each a generated class
/// reading at most two streams) and the operators the runtime runs between them (windows, state, Union, Transform…),
/// called on the stages' streams with the user's arguments as written. Pure.
/// </summary>
/// <remarks>
/// A stage is the part of the graph below a node that is neither a source nor a runtime operator; its inputs are the
/// sources and runtime operators it reaches. A stage that would read more than two streams is split at a join: the
/// side reading two streams becomes a stage of its own. Every node's stream is created once (a runtime operator
/// such as <c>UpdateStateByKey</c> must not run twice); a fused node inside two stages runs in both (lambdas are pure).
/// </remarks>
internal sealed partial class StepPlanner
{
    private readonly string _className;
    private readonly DefinitionModel _definition;
    private readonly string _compileName;
    private readonly List<NodeModel> _nodes;
    private readonly HashSet<int> _ownStage = [];
    private readonly HashSet<int> _fusedEventTime = [];
    private readonly HashSet<int> _fusedEventWindows = [];
    private readonly Dictionary<int, (string Code, string Name)> _streams = [];
    private readonly List<StepPlan> _steps = [];
    private readonly List<StagePlan> _stages = [];
    private readonly NameScope _names;
    private readonly HashSet<int> _fusedIntoState = [];

    public StepPlanner(string className, DefinitionModel definition, string compileName)
    {
        _className = className;
        _definition = definition;
        _compileName = compileName;
        _nodes = [.. definition.Nodes];
        _names = new NameScope(definition.Nodes.SelectMany(n => n.Functions).SelectMany(f => f.Identifiers).Concat(definition.Nodes.SelectMany(ArgumentIdentifiers)));
        foreach (var parameter in definition.Parameters)
        {
            _names.Claim(parameter.Name);
        }

        FindFusedWindows();
        AddPerBatchReduces();
    }

    public (EquatableArray<StepPlan> Steps, EquatableArray<StagePlan> Stages) Plan()
    {
        var (code, _) = Stream(_definition.Root);
        if (_steps.Count == 0)
        {
            // The definition returns its parameter: nothing to compute.
            _steps.Add(new StepPlan(code, code, "The parameter itself", null));
        }

        return (_steps.ToEquatableArray(), _stages.ToEquatableArray());
    }

    private static bool IsRuntime(NodeModel node) => !node.IsSource && OperatorCatalog.All[(int)node.Operator].Role == OperatorRole.Boundary;

    /// <summary>
    /// Spark reduces each batch before a reducing window: ReduceByKeyAndWindow and ReduceByWindow with a reducer read
    /// a fused per-batch ReduceByKey / Reduce instead of their input.
    /// </summary>
    private void AddPerBatchReduces()
    {
        for (var i = 0; i < _nodes.Count; i++)
        {
            var node = _nodes[i];
            var perBatch = node is { IsSource: false, Functions.Count: 1 } && !_fusedWindows.Contains(i)
                ? node.Operator switch
                {
                    PipelineOperator.ReduceByKeyAndWindow => PipelineOperator.ReduceByKey,
                    PipelineOperator.ReduceByWindow => PipelineOperator.Reduce,
                    _ => (PipelineOperator?)null,
                }
                : null;
            if (perBatch is { } op)
            {
                var input = _nodes[node.Input];
                _nodes.Add(new NodeModel(false, op, -1, node.Input, -1, input.ElementType, input.KeyType, input.ValueType, node.Functions));
                _nodes[i] = node with { Input = _nodes.Count - 1, Functions = EquatableArray<LambdaModel>.Empty };
            }
        }
    }

    /// <summary>The expression of node <paramref name="index"/>'s stream (a parameter or a step's local), creating its step.</summary>
    private (string Code, string Name) Stream(int index)
    {
        if (_streams.TryGetValue(index, out var known))
        {
            return known;
        }

        var node = _nodes[index];
        (string Code, string Name) result;
        if (node.IsSource)
        {
            var name = _definition.Parameters[node.ParameterIndex].Name;
            result = (Escape(name), name);
        }
        else if (_fusedWindows.Contains(index))
        {
            result = FusedWindow(index);
        }
        else if (EventTimePlanner.Match(_nodes, _definition.Root, index) is { } fusion && EventWindowStage(fusion) is { } eventWindow)
        {
            result = eventWindow;
        }
        else if (IsRuntime(node))
        {
            if (StateFusion.FusedInput(_nodes, _definition.Root, index) is var fused and >= 0)
            {
                _fusedIntoState.Add(fused);
            }

            var receiver = Stream(node.Input).Code;
            var arguments = new List<string>();
            if (node.Other >= 0)
            {
                arguments.Add(Stream(node.Other).Code);
            }

            if (!string.IsNullOrEmpty(node.Arguments))
            {
                arguments.Add(node.Arguments!);
            }

            var method = OperatorCatalog.All[(int)node.Operator].Name;
            var variable = _names.Fresh(Camel(node.Operator.ToString()));
            _steps.Add(new StepPlan(variable, $"{receiver}.{method}({string.Join(", ", arguments)})", $"The runtime's {method}", method));
            result = (variable, variable.TrimStart('@'));
        }
        else
        {
            result = Stage(index);
        }

        _streams[index] = result;
        return result;
    }

    /// <summary>The fused stage that produces node <paramref name="root"/>'s records.</summary>
    private (string Code, string Name) Stage(int root)
    {
        var inputs = Inputs(root);
        while (inputs.Count > 2)
        {
            _ownStage.Add(SplitAt(root));
            inputs = Inputs(root);
        }

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
        var stageClass = _names.Fresh(_compileName + "Stage");
        var streamName = _className + "." + _compileName + (number == 1 ? string.Empty : "#" + number.ToString(CultureInfo.InvariantCulture));
        var graph = _definition with { Nodes = nodes.ToEquatableArray(), Parameters = parameters.ToEquatableArray() };
        var stage = new StageBuilder(graph, root, stageClass, streamName).Build();
        stage = stage with { Parallel = ParallelPlanner.Plan(graph, root, stageClass, streamName, stage.OutputType, _names.Fresh) };
        _stages.Add(stage);

        var create = _fusedIntoState.Contains(root) && streams.Count == 1
            ? StateFusion.Create(stage, streams[0].Code, _nodes[root].KeyType!, _nodes[root].ValueType!)
            : ParallelPlanner.Create(stage, streams.Select(s => s.Code).ToList());
        var variable = _names.Fresh(root == _definition.Root ? "compiled" : "fused");
        _steps.Add(new StepPlan(variable, create, $"Fused stage {stageClass}: {Chain(root)}", null));
        return (variable, variable.TrimStart('@'));
    }

    /// <summary>The streams a stage rooted at <paramref name="root"/> reads, in first-reached order.</summary>
    private List<int> Inputs(int root)
    {
        var inputs = new List<int>();
        Walk(root, isRoot: true);
        return inputs;

        void Walk(int index, bool isRoot)
        {
            var node = _nodes[index];
            if (!isRoot && IsInput(index))
            {
                if (!inputs.Contains(index))
                {
                    inputs.Add(index);
                }

                return;
            }

            Walk(node.Input, isRoot: false);
            if (node.Other >= 0)
            {
                Walk(node.Other, isRoot: false);
            }
        }
    }

    private bool IsInput(int index) =>
        _nodes[index].IsSource || (IsRuntime(_nodes[index]) && !_fusedEventTime.Contains(index)) || _ownStage.Contains(index);

    /// <summary>A side of a join under <paramref name="root"/> that reads two or more streams, to become a stage of its own.</summary>
    private int SplitAt(int root)
    {
        var index = root;
        while (true)
        {
            var node = _nodes[index];
            if (node.Other < 0)
            {
                index = node.Input;
                continue;
            }

            // The first join below a chain of one-input operators reads all of the stage's (more than two) streams,
            // so one of its sides reads at least two.
            var left = IsInput(node.Input) ? 1 : Inputs(node.Input).Count;
            return left >= 2 ? node.Input : node.Other;
        }
    }

    /// <summary>The operators from the stage's inputs to <paramref name="root"/>, for the comment above its step.</summary>
    private string Chain(int root)
    {
        var names = new List<string>();
        Walk(root, isRoot: true);
        return string.Join(" → ", names);

        void Walk(int index, bool isRoot)
        {
            if (!isRoot && IsInput(index))
            {
                return;
            }

            var node = _nodes[index];
            Walk(node.Input, isRoot: false);
            if (node.Other >= 0)
            {
                Walk(node.Other, isRoot: false);
            }

            names.Add(node.Operator.ToString());
        }
    }

    private static IEnumerable<string> ArgumentIdentifiers(NodeModel node) =>
        string.IsNullOrEmpty(node.Arguments)
            ? []
            : SyntaxFactory.ParseArgumentList("(" + node.Arguments + ")").DescendantTokens()
                .Where(t => t.IsKind(SyntaxKind.IdentifierToken))
                .Select(t => t.ValueText);

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name.Substring(1);

    private static string Escape(string name) => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;
}
