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
/// iterates spans and looks words up through the dictionary's alternate (span) lookup. Windowed, stateful and
/// whole-batch operators run in the runtime between fused stages (<see cref="StepPlanner"/>).
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
            var (steps, stages) = definition.FallbackReason is null
                ? new StepPlanner(model.Name, definition, compileName).Plan()
                : (EquatableArray<StepPlan>.Empty, EquatableArray<StagePlan>.Empty);

            return new DefinitionPlan(
                definition.Name,
                compileName,
                definition.Name + "Fingerprint",
                definition.Fingerprint,
                definition.ReturnType,
                definition.Parameters,
                chain,
                steps,
                stages,
                definition.FallbackReason);
        }
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
            var runtime = OperatorCatalog.All[(int)node.Operator].Role == OperatorRole.Boundary;
            if (runtime && node.Other >= 0)
            {
                names.Add(node.Operator + "(" + Describe(node.Other) + ") (runtime)");
            }
            else if (runtime)
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
