using System.Collections.Generic;
using System.Linq;
using Pipelines.Compilation;
using Pipelines.Generators.Model;

namespace Pipelines.Generators.Planning;

/// <summary>
/// Turns a <see cref="ClassModel"/> into a <see cref="ClassPlan"/>: decides which operators fuse into which loop,
/// names every local, inlines the lambdas and writes each loop's statements. Pure.
/// </summary>
/// <remarks>
/// Narrow operators (Map, FlatMap, Filter, MapValues, FlatMapValues) extend the current loop. A shuffle
/// (ReduceByKey, CountByValue, Count, Reduce, CombineByKey, GroupByKey) ends it: the loop writes into the
/// shuffle's hash table or accumulator, and the next loop reads it. A join fills one hash table from both sides'
/// loops. A FlatMap that splits a string on a constant separator and feeds ReduceByKey or CountByValue directly
/// iterates spans and looks words up through the dictionary's alternate (span) lookup.
/// </remarks>
internal static class Planner
{
    public static ClassPlan Plan(ClassModel model)
    {
        var definitions = model.Definitions.Select(PlanDefinition).ToEquatableArray();
        // Namespace-qualified, so two pipeline classes of the same name in different namespaces never collide.
        var prefix = (model.Namespace is null ? string.Empty : model.Namespace + ".")
            + string.Concat(model.ContainingTypes.Select(t => t.Substring(t.LastIndexOf(' ') + 1) + "."));
        return new ClassPlan(
            prefix + model.Name + ".Pipeline.g.cs",
            model.Namespace,
            model.ContainingTypes,
            model.Name,
            model.Usings,
            model.NamespaceUsings,
            definitions,
            model.Diagnostics);

        DefinitionPlan PlanDefinition(DefinitionModel definition)
        {
            var suffix = definition.Name.Substring("Define".Length);
            var compileName = "Compile" + suffix;
            var chain = Chain(definition);
            StagePlan? stage = null;
            string? boundary = null;
            ParallelPlan? parallel = null;
            if (definition.FallbackReason is null)
            {
                var (planned, root) = SplitBoundary(definition, out boundary);
                if (!planned.Nodes[root].IsSource)
                {
                    stage = new StageBuilder(model.Name, planned, compileName, root).Build();
                    parallel = PlanParallel(model.Name, planned, compileName, root, stage.OutputType);
                }
            }

            return new DefinitionPlan(
                definition.Name,
                compileName,
                definition.Name + "Fingerprint",
                definition.Fingerprint,
                definition.ReturnType,
                definition.Parameters,
                chain,
                stage,
                definition.FallbackReason,
                boundary,
                parallel);
        }
    }

    /// <summary>
    /// How the stage ending at <paramref name="root"/> runs partitions at the same time, or null when it runs whole
    /// batches only (joins, several inputs, a shuffle that cannot be split, or a second shuffle after the first).
    /// </summary>
    private static ParallelPlan? PlanParallel(string className, DefinitionModel definition, string compileName, int root, string outputType)
    {
        if (definition.Parameters.Count != 1)
        {
            return null;
        }

        // The chain from the source to the root, source first.
        var chain = new List<int>();
        for (var index = root; !definition.Nodes[index].IsSource; index = definition.Nodes[index].Input)
        {
            if (definition.Nodes[index].Other >= 0)
            {
                return null;
            }

            chain.Insert(0, index);
        }

        var shuffle = chain.FindIndex(i => OperatorCatalog.All[(int)definition.Nodes[i].Operator].Role != OperatorRole.Narrow);
        if (shuffle < 0)
        {
            return new ParallelPlan(null, null, null, null);
        }

        if (chain.Skip(shuffle + 1).Any(i => OperatorCatalog.All[(int)definition.Nodes[i].Operator].Role != OperatorRole.Narrow))
        {
            return null;
        }

        var node = definition.Nodes[chain[shuffle]];
        if (node.KeyType is null || node.ValueType is null)
        {
            return null;
        }

        LambdaModel? merge = node.Operator switch
        {
            PipelineOperator.ReduceByKey => node.Functions[0],
            PipelineOperator.CombineByKey => node.Functions[2],
            PipelineOperator.CountByValue => Sum(node.ValueType),
            _ => null,
        };
        if (merge is null)
        {
            return null;
        }

        var mapSide = new StageBuilder(className, definition, compileName, chain[shuffle], "MapSide").Build();

        // The reduce side: a definition of its own over the partial results, ReduceByKey with the merge function,
        // then the narrow operators that followed the shuffle.
        var pair = "(" + node.KeyType + ", " + node.ValueType + ")";
        var nodes = new List<NodeModel>
        {
            new(true, default, 0, -1, -1, pair, node.KeyType, node.ValueType, EquatableArray<LambdaModel>.Empty),
            new(false, PipelineOperator.ReduceByKey, -1, 0, -1, node.ElementType, node.KeyType, node.ValueType, new[] { merge }.ToEquatableArray()),
        };
        foreach (var index in chain.Skip(shuffle + 1))
        {
            nodes.Add(definition.Nodes[index] with { Input = nodes.Count - 1 });
        }

        var partials = new ParameterModel("partials", "global::Pipelines.DStream<" + pair + ">", pair);
        var reduceDefinition = definition with
        {
            Parameters = new[] { partials }.ToEquatableArray(),
            Nodes = nodes.ToEquatableArray(),
            Root = nodes.Count - 1,
            OutputType = outputType,
        };
        var reduceSide = new StageBuilder(className, reduceDefinition, compileName, nodes.Count - 1, "ReduceSide").Build();
        return new ParallelPlan(mapSide, reduceSide, node.KeyType, node.ValueType);
    }

    /// <summary>The merge of CountByValue's partial counts: <c>(a, b) =&gt; a + b</c>.</summary>
    private static LambdaModel Sum(string type) => new(
        new[] { new LambdaParameterModel("a", type), new LambdaParameterModel("b", type) }.ToEquatableArray(),
        type,
        false,
        LambdaModel.ParameterMarker(0) + " + " + LambdaModel.ParameterMarker(1),
        type,
        null,
        null,
        new[] { "a", "b" }.ToEquatableArray());

    /// <summary>
    /// For a definition ending with a windowed or stateful operator: the node the fused stage produces (with a
    /// per-batch ReduceByKey or Reduce appended for the reducing windows, as Spark reduces each batch before
    /// windowing) and the call that hands its stream to the runtime. Otherwise the definition's root.
    /// </summary>
    private static (DefinitionModel Definition, int Root) SplitBoundary(DefinitionModel definition, out string? boundary)
    {
        boundary = null;
        var root = definition.Nodes[definition.Root];
        if (root.IsSource || OperatorCatalog.All[(int)root.Operator].Role != OperatorRole.Boundary)
        {
            return (definition, definition.Root);
        }

        boundary = root.Operator + root.Arguments;
        var perBatch = root.Operator switch
        {
            PipelineOperator.ReduceByKeyAndWindow => PipelineOperator.ReduceByKey,
            PipelineOperator.ReduceByWindow => PipelineOperator.Reduce,
            _ => (PipelineOperator?)null,
        };
        if (perBatch is not { } op || root.Functions.Count != 1)
        {
            return (definition, root.Input);
        }

        var input = definition.Nodes[root.Input];
        var reduce = new NodeModel(false, op, -1, root.Input, -1, input.ElementType, input.KeyType, input.ValueType, root.Functions);
        var nodes = definition.Nodes.Concat([reduce]).ToEquatableArray();
        return (definition with { Nodes = nodes }, nodes.Count - 1);
    }

    private static string Chain(DefinitionModel definition)
    {
        if (definition.Root < 0)
        {
            return string.Empty;
        }

        var names = new List<string>();
        Walk(definition.Root);
        return string.Join(" → ", names);

        void Walk(int index)
        {
            var node = definition.Nodes[index];
            if (node.IsSource)
            {
                return;
            }

            Walk(node.Input);
            if (node.Arguments is not null)
            {
                names.Add(node.Operator + " (runtime)");
            }
            else if (node.Other >= 0)
            {
                names.Add(node.Operator + "(" + Describe(node.Other) + ")");
            }
            else
            {
                names.Add(node.Operator.ToString());
            }
        }

        string Describe(int index)
        {
            var node = definition.Nodes[index];
            return node.IsSource ? definition.Parameters[node.ParameterIndex].Name : node.Operator + "(…)";
        }
    }
}
