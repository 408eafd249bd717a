using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp;
using Pipelines.Compilation;
using Pipelines.Generators.Model;

namespace Pipelines.Generators.Planning;

/// <summary>
/// Finds the event-time windows whose per-batch part the generator fuses: a window operator (<c>WindowByEventTime</c>,
/// <c>CountByEventWindow</c>, <c>ReduceByKeyAndEventWindow</c>, <c>CountByKeyAndEventWindow</c>, or the session window
/// <c>ReduceByKeyAndSessionWindow</c>) reached from
/// <c>WithEventTime</c> through event-time <c>Map</c>/<c>Filter</c>/<c>FlatMap</c>/<c>MapValues</c> only, each with its
/// function read as a lambda and used by nothing else (a stream read twice keeps the runtime's operators, so its
/// watermark stays one). Pure.
/// </summary>
internal static class EventTimePlanner
{
    /// <summary>
    /// The fusion of the window at <paramref name="window"/>, or null when it stays the runtime's.
    /// </summary>
    /// <param name="nodes">The definition's graph.</param>
    /// <param name="root">The node the definition returns.</param>
    public static EventWindowFusion? Match(IReadOnlyList<NodeModel> nodes, int root, int window)
    {
        var node = nodes[window];
        if (node.IsSource || !IsWindow(node.Operator) || string.IsNullOrEmpty(node.Arguments))
        {
            return null;
        }

        var reducing = node.Operator is PipelineOperator.ReduceByKeyAndEventWindow or PipelineOperator.ReduceByKeyAndSessionWindow;
        if (reducing && node.Functions.Count != 1)
        {
            return null;
        }

        var chain = new List<int>();
        var index = node.Input;
        while (true)
        {
            var current = nodes[index];
            if (current.IsSource || current.Functions.Count != 1 || index == root || Consumers(nodes, index) != 1)
            {
                return null;
            }

            chain.Add(index);
            if (current.Operator == PipelineOperator.WithEventTime)
            {
                break;
            }

            if (!IsEventTimeNarrow(current.Operator))
            {
                return null;
            }

            index = current.Input;
        }

        var withEventTime = nodes[index];
        var timeArguments = Split(withEventTime.Arguments);
        var windowArguments = Split(node.Arguments);
        if (timeArguments.Count != 2 || timeArguments[0].NameColon is not null || (reducing && windowArguments.Count < 2))
        {
            return null;
        }

        var maxDelay = timeArguments[1].Expression.ToString();
        var rest = windowArguments.Skip(reducing ? 1 : 0).Select(a => a.ToString()).ToList();
        chain.Reverse();
        return new EventWindowFusion(window, index, withEventTime.Input, chain, maxDelay, string.Join(", ", rest));
    }

    /// <summary>The arrival-time operator an event-time narrow operator compiles as (same loop code; the event time stays in a local).</summary>
    public static PipelineOperator AsNarrow(PipelineOperator op) => op switch
    {
        PipelineOperator.EventTimeMap => PipelineOperator.Map,
        PipelineOperator.EventTimeFilter => PipelineOperator.Filter,
        PipelineOperator.EventTimeFlatMap => PipelineOperator.FlatMap,
        PipelineOperator.EventTimeMapValues => PipelineOperator.MapValues,
        _ => op,
    };

    private static bool IsWindow(PipelineOperator op) =>
        op is PipelineOperator.WindowByEventTime or PipelineOperator.CountByEventWindow or PipelineOperator.ReduceByKeyAndEventWindow or PipelineOperator.CountByKeyAndEventWindow
            or PipelineOperator.ReduceByKeyAndSessionWindow;

    private static bool IsEventTimeNarrow(PipelineOperator op) =>
        op is PipelineOperator.EventTimeMap or PipelineOperator.EventTimeFilter or PipelineOperator.EventTimeFlatMap or PipelineOperator.EventTimeMapValues;

    private static int Consumers(IReadOnlyList<NodeModel> nodes, int index) =>
        nodes.Count(n => !n.IsSource && (n.Input == index || n.Other == index));

    private static Microsoft.CodeAnalysis.SeparatedSyntaxList<Microsoft.CodeAnalysis.CSharp.Syntax.ArgumentSyntax> Split(string? arguments) =>
        SyntaxFactory.ParseArgumentList("(" + arguments + ")").Arguments;
}

/// <summary>A fused event-time window: the nodes it covers and the runtime arguments it keeps.</summary>
/// <param name="Window">The window operator's node.</param>
/// <param name="WithEventTime">The <c>WithEventTime</c> node.</param>
/// <param name="Input">The node whose stream the fused chain starts from (the input of <c>WithEventTime</c>).</param>
/// <param name="Chain">The nodes from <c>WithEventTime</c> to the window's input, in order.</param>
/// <param name="MaxDelay">The watermark delay, as written.</param>
/// <param name="WindowArguments">The window's arguments after the reducer, as written (window, slide, options; gap, options for sessions).</param>
internal sealed record EventWindowFusion(int Window, int WithEventTime, int Input, List<int> Chain, string MaxDelay, string WindowArguments);
