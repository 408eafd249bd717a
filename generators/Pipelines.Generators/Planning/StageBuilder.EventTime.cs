using System.Linq;
using Pipelines.Compilation;
using Pipelines.Generators.Model;

namespace Pipelines.Generators.Planning;

/// <summary>The event-time part of a fused stage: <c>WithEventTime</c> inlined and a window's per-batch pre-aggregation.</summary>
internal sealed partial class StageBuilder
{
    /// <summary>The local holding the current record's event time (UTC ticks), once <c>WithEventTime</c> was fused.</summary>
    private string? _eventTicks;

    /// <summary>
    /// Builds the stage of a fused event-time window: the loop reads the input, runs the narrow operators, reads each
    /// record's event time (reported for the watermark), sets late records aside and pre-aggregates the others by
    /// (window, key) into the runtime's table; <c>Merge</c> combines a batch's aggregate with an open window's.
    /// </summary>
    public StagePlan BuildEventWindow(NodeModel window)
    {
        var loop = Open(_root, "record");
        var ticks = _eventTicks!;
        var record = loop.Local;
        var session = window.Operator == PipelineOperator.ReduceByKeyAndSessionWindow;
        var keyed = session || window.Operator is PipelineOperator.ReduceByKeyAndEventWindow or PipelineOperator.CountByKeyAndEventWindow;
        var recordType = _definition.Nodes[_root].ElementType;
        var keyType = keyed ? _definition.Nodes[_root].KeyType! : "byte";
        var key = keyed ? $"{record}.Item1" : "0";
        var keyLocal = _names.Fresh("key");
        var start = _names.Fresh("windowStart");
        var acc = _names.Fresh("aggregate");
        var exists = _names.Fresh("exists");
        var list = $"global::System.Collections.Generic.List<{recordType}>";
        string accType;
        object[] fold;
        string operators;
        switch (window.Operator)
        {
            case PipelineOperator.ReduceByKeyAndEventWindow:
            {
                var reducer = window.Functions[0];
                accType = _definition.Nodes[_root].ValueType!;
                var a = _names.Fresh(ParameterName(reducer, 0));
                var b = _names.Fresh(ParameterName(reducer, 1));
                fold =
                [
                    S($"ref var {acc} = ref {_output}.GetOrAdd({start}, {keyLocal}, out bool {exists});"),
                    new Block($"if ({exists})", [
                        S($"{reducer.Parameters[0].Type} {a} = {acc}!;"),
                        S($"{reducer.Parameters[1].Type} {b} = {record}.Item2;"),
                        S($"{acc} = {Call(reducer, "Reduce", a, b)};"),
                    ]),
                    new Block("else", [S($"{acc} = {record}.Item2;")]),
                ];
                operators = "ReduceByKeyAndEventWindow (pre-aggregated by (window, key))";
                break;
            }

            case PipelineOperator.ReduceByKeyAndSessionWindow:
                accType = _definition.Nodes[_root].ValueType!;
                fold = [S($"{_output}.Add({keyLocal}, {ticks}, {record}.Item2);")];
                operators = "ReduceByKeyAndSessionWindow (merged into the key's sessions)";
                break;

            case PipelineOperator.WindowByEventTime:
                accType = list;
                fold =
                [
                    S($"ref var {acc} = ref {_output}.GetOrAdd({start}, {keyLocal}, out _);"),
                    S($"({acc} ??= new {list}()).Add({record});"),
                ];
                operators = "WindowByEventTime (records listed by window)";
                break;
            default:
                accType = "long";
                fold = [S($"{_output}.GetOrAdd({start}, {keyLocal}, out _)++;")];
                operators = window.Operator + (keyed ? " (counted by (window, key))" : " (counted by window)");
                break;
        }

        var onTime = new Block("else", [S($"{keyType} {keyLocal} = {key};")]);
        if (session)
        {
            onTime.AddRange(fold);
        }
        else
        {
            onTime.Add(new Block(
                $"for (long {start} = {_output}.LastWindowStart({ticks}); {start} > {ticks} - {_output}.WindowTicks; {start} -= {_output}.SlideTicks)",
                [.. fold]));
        }
        loop.Inner.Add(new Block($"if ({_output}.IsLate({ticks}))", [S($"{_output}.AddLate({record});")]));
        loop.Inner.Add(onTime);
        loop.Operators.Add("late records set aside");
        loop.Operators.Add(operators);
        Close(loop);

        var (mergeBody, mergeOpen, mergeBatch, mergeFunctions) = Merge(window, accType, recordType);
        return new StagePlan(
            accType,
            _className,
            _streamName,
            _definition.Parameters.Select(p => p.ElementType).ToEquatableArray(),
            _inputs.ToEquatableArray(),
            _output,
            _fields.ToEquatableArray(),
            _loops.ToEquatableArray(),
            _functions.ToEquatableArray(),
            EventTime: new EventTimeStagePlan(window.Operator.ToString(), recordType, keyType, accType, mergeOpen, mergeBatch, mergeBody, mergeFunctions));
    }

    private OpenLoop WithEventTime(NodeModel node)
    {
        var function = node.Functions[0];
        var loop = Open(node.Input, ParameterName(function, 0));
        var ticks = _names.Fresh("eventTicks");
        loop.Inner.Add(S($"long {ticks} = ({Call(function, "EventTime", loop.Local)}).UtcTicks;"));
        loop.Inner.Add(S($"{_output}.Observe({ticks});"));

        // After a failed batch the runtime runs the loop again to this point only: the watermark moves as the
        // interpreted WithEventTime's does, whose batch succeeded even when an operator after it threw.
        loop.Nest($"if (!{_output}.ObserveOnly)");
        _eventTicks = ticks;
        return loop.Then("WithEventTime (event time read inline, watermark observed)", loop.Local);
    }

    /// <summary>The body of <c>Merge(open, batch)</c>: the reducer inlined, a sum, or the two lists concatenated.</summary>
    private (EquatableArray<CodeNode> Body, string Open, string Batch, EquatableArray<LocalFunctionPlan> Functions) Merge(NodeModel window, string accType, string recordType)
    {
        var names = new NameScope(window.Functions.SelectMany(f => f.Identifiers));
        var session = window.Operator == PipelineOperator.ReduceByKeyAndSessionWindow;
        var open = names.Fresh(session ? "earlier" : "open");
        var batch = names.Fresh(session ? "later" : "batch");
        var functions = EquatableArray<LocalFunctionPlan>.Empty;
        string[] body;
        switch (window.Operator)
        {
            case PipelineOperator.ReduceByKeyAndEventWindow or PipelineOperator.ReduceByKeyAndSessionWindow:
            {
                var reducer = window.Functions[0];
                if (reducer.IsBlock)
                {
                    var name = names.Fresh(session ? "Reducer" : "Reduce");
                    functions = new[] { new LocalFunctionPlan(name, reducer.ReturnType, reducer.Parameters, reducer.Body) }.ToEquatableArray();
                    body = [$"return {name}({open}, {batch});"];
                }
                else
                {
                    body = [$"return {Inline(reducer, reducer.Body, open, batch)};"];
                }

                break;
            }

            case PipelineOperator.WindowByEventTime:
            {
                var merged = names.Fresh("merged");
                body =
                [
                    $"global::System.Collections.Generic.List<{recordType}> {merged} = new({open}.Count + {batch}.Count);",
                    $"{merged}.AddRange({open});",
                    $"{merged}.AddRange({batch});",
                    $"return {merged};",
                ];
                break;
            }

            default:
                body = [$"return {open} + {batch};"];
                break;
        }

        return (body.Select(CodeNode.Statement).ToEquatableArray(), open, batch, functions);
    }
}
