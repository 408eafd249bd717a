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
            var (steps, stages) = (EquatableArray<StepPlan>.Empty, EquatableArray<StagePlan>.Empty);
            IReadOnlyCollection<int> fused = [];
            if (definition.FallbackReason is null)
            {
                var planner = new StepPlanner(model.Name, definition, compileName);
                (steps, stages) = planner.Plan();
                fused = planner.FusedEventTimeNodes;
            }

            var chain = Chain(definition, fused);

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

    /// <param name="fusedEventTime">The event-time operators fused into a generated stage (not run by the runtime).</param>
    private static string Chain(DefinitionModel definition, IReadOnlyCollection<int> fusedEventTime)
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
            var info = OperatorCatalog.All[(int)node.Operator];
            var runtime = info.Role == OperatorRole.Boundary && !fusedEventTime.Contains(index);
            if (runtime && node.Other >= 0)
            {
                names.Add(info.Name + "(" + Describe(node.Other) + ") (runtime)");
            }
            else if (runtime)
            {
                names.Add(info.Name + " (runtime)");
            }
            else if (node.Other >= 0)
            {
                names.Add(node.Operator + "(" + Describe(node.Other) + ")");
            }
            else
            {
                names.Add(info.Role == OperatorRole.Boundary ? info.Name : node.Operator.ToString());
            }
        }

        string Describe(int index)
        {
            var node = definition.Nodes[index];
            return node.IsSource ? definition.Parameters[node.ParameterIndex].Name : node.Operator + "(…)";
        }
    }
}
