using System;
using System.Collections.Generic;
using System.Linq;
using Pipelines.Compilation;
using Pipelines.Generators.Model;

namespace Pipelines.Generators.Planning;

/// <summary>
/// Decides how one fused stage runs the partitions of a batch at the same time, and builds the extra stage classes
/// that needs: nothing more for a stage of narrow operators only (it runs once per partition), a map side and a
/// reduce side for a stage whose one keyed shuffle is followed only by narrow operators. Pure.
/// </summary>
internal static class ParallelPlanner
{
    /// <summary>
    /// The parallel plan of the stage rooted at <paramref name="root"/> in <paramref name="graph"/> (its inputs are
    /// the graph's sources), or null when the stage runs whole batches only (joins, several inputs, a shuffle that
    /// cannot be split, or a second shuffle after the first).
    /// </summary>
    /// <param name="freshClassName">Hands out a unique class name in the pipeline class for a preferred one.</param>
    public static ParallelPlan? Plan(DefinitionModel graph, int root, string stageClassName, string streamName, string outputType, Func<string, string> freshClassName)
    {
        if (graph.Parameters.Count != 1)
        {
            return null;
        }

        // The chain from the stage's input to the root, input first.
        var chain = new List<int>();
        for (var index = root; !graph.Nodes[index].IsSource; index = graph.Nodes[index].Input)
        {
            if (graph.Nodes[index].Other >= 0)
            {
                return null;
            }

            chain.Insert(0, index);
        }

        var shuffle = chain.FindIndex(i => Role(graph.Nodes[i]) != OperatorRole.Narrow);
        if (shuffle < 0)
        {
            return new ParallelPlan(null, null, null, null);
        }

        if (chain.Skip(shuffle + 1).Any(i => Role(graph.Nodes[i]) != OperatorRole.Narrow))
        {
            return null;
        }

        var node = graph.Nodes[chain[shuffle]];
        if (node.KeyType is null || node.ValueType is null)
        {
            return null;
        }

        LambdaModel? merge = node.Operator switch
        {
            PipelineOperator.ReduceByKey => node.Functions[0],
            PipelineOperator.CombineByKey => node.Functions[2],
            PipelineOperator.CountByValue => Sum(node.ValueType),
            PipelineOperator.GroupByKey => Concat(node.ValueType),
            _ => null,
        };
        if (merge is null)
        {
            return null;
        }

        // With nothing after the shuffle, the map side's loops are the stage's own: the stage's class serves as both.
        var mapSideClass = shuffle == chain.Count - 1 ? stageClassName : freshClassName(stageClassName + "MapSide");
        var mapSide = new StageBuilder(graph, chain[shuffle], mapSideClass, streamName).Build();

        // The reduce side: a graph of its own over the partial results, ReduceByKey with the merge function, then
        // the narrow operators that followed the shuffle.
        var pair = "(" + node.KeyType + ", " + node.ValueType + ")";
        var nodes = new List<NodeModel>
        {
            new(true, default, 0, -1, -1, pair, node.KeyType, node.ValueType, EquatableArray<LambdaModel>.Empty),
            new(false, PipelineOperator.ReduceByKey, -1, 0, -1, node.ElementType, node.KeyType, node.ValueType, new[] { merge }.ToEquatableArray()),
        };
        foreach (var index in chain.Skip(shuffle + 1))
        {
            nodes.Add(graph.Nodes[index] with { Input = nodes.Count - 1 });
        }

        var partials = new ParameterModel("partials", "global::Pipelines.DStream<" + pair + ">", pair);
        var reduceGraph = graph with
        {
            Parameters = new[] { partials }.ToEquatableArray(),
            Nodes = nodes.ToEquatableArray(),
            Root = nodes.Count - 1,
            OutputType = outputType,
        };
        var reduceSide = new StageBuilder(reduceGraph, nodes.Count - 1, freshClassName(stageClassName + "ReduceSide"), streamName).Build();
        return new ParallelPlan(mapSide, reduceSide, node.KeyType, node.ValueType);
    }

    /// <summary>The expression that creates the compiled stream of <paramref name="stage"/> over <paramref name="inputs"/>.</summary>
    public static string Create(StagePlan stage, IReadOnlyList<string> inputs)
    {
        const string Compiled = "global::Pipelines.Compilation.CompiledStream";
        var arguments = string.Join(", ", inputs);
        var name = $"\"{stage.StreamName}\"";
        return stage.Parallel switch
        {
            { MapSide: { } mapSide, ReduceSide: { } reduceSide } shuffled =>
                $"{Compiled}.CreateShuffled<{stage.InputTypes[0]}, {shuffled.KeyType}, {shuffled.ValueType}, {stage.OutputType}>({arguments}, {name}, new {stage.ClassName}(), static () => new {mapSide.ClassName}(), static () => new {reduceSide.ClassName}())",
            { } => $"{Compiled}.CreatePartitioned({arguments}, {name}, new {stage.ClassName}(), static () => new {stage.ClassName}())",
            null => $"{Compiled}.Create({arguments}, {name}, new {stage.ClassName}())",
        };
    }

    private static OperatorRole Role(NodeModel node) => OperatorCatalog.All[(int)node.Operator].Role;

    /// <summary>The merge of CountByValue's partial counts: <c>(a, b) =&gt; a + b</c>.</summary>
    private static LambdaModel Sum(string type) => Merge(type, LambdaModel.ParameterMarker(0) + " + " + LambdaModel.ParameterMarker(1));

    /// <summary>The merge of GroupByKey's partial groups, in input-partition order: <c>(a, b) =&gt; ConcatGroups(a, b)</c>.</summary>
    private static LambdaModel Concat(string type) =>
        Merge(type, "global::Pipelines.Compilation.CompiledStream.ConcatGroups(" + LambdaModel.ParameterMarker(0) + ", " + LambdaModel.ParameterMarker(1) + ")");

    /// <summary>A merge function <c>(a, b) =&gt; body</c> of two values of <paramref name="type"/>.</summary>
    private static LambdaModel Merge(string type, string body) => new(
        new[] { new LambdaParameterModel("a", type), new LambdaParameterModel("b", type) }.ToEquatableArray(),
        type,
        false,
        body,
        type,
        null,
        null,
        new[] { "a", "b" }.ToEquatableArray());
}
