using System.Linq;
using Pipelines.Compilation;
using Pipelines.Generators.Model;

namespace Pipelines.Generators.Planning;

/// <summary>The stages fused into a keyed window: the per-batch reduce written straight into the window's slice.</summary>
internal sealed partial class StageBuilder
{
    /// <summary>
    /// Builds a stage that reduces the records of node <c>root</c> (the window's input) by key into the window's
    /// slice (the <c>Process</c> parameter named by the stage's output name), as <paramref name="window"/> reduces
    /// each batch: <c>ReduceByKey</c> with the reducer for <c>ReduceByKeyAndWindow</c>, a count per value for
    /// <c>CountByValueAndWindow</c>, the batch's reduced value or record count under key 0 for
    /// <c>ReduceByWindow</c> and <c>CountByWindow</c>.
    /// </summary>
    public StagePlan BuildWindowSlice(NodeModel window, string keyType, string valueType)
    {
        switch (window.Operator)
        {
            case PipelineOperator.ReduceByKeyAndWindow:
                SliceReduceByKey(window.Functions[0]);
                break;
            case PipelineOperator.CountByValueAndWindow:
                SliceCountByValue();
                break;
            case PipelineOperator.ReduceByWindow:
                SliceReduce(window.Functions[0]);
                break;
            default:
                SliceCount();
                break;
        }

        return new StagePlan(
            "(" + keyType + ", " + valueType + ")",
            _className,
            _streamName,
            _definition.Parameters.Select(p => p.ElementType).ToEquatableArray(),
            _inputs.ToEquatableArray(),
            _output,
            _fields.ToEquatableArray(),
            _loops.ToEquatableArray(),
            _functions.ToEquatableArray(),
            WindowSlice: new WindowSlicePlan(keyType, valueType));
    }

    private void SliceReduceByKey(LambdaModel reducer)
    {
        var input = _definition.Nodes[_root];
        var total = _names.Fresh("total");
        var exists = _names.Fresh("exists");
        var a = _names.Fresh(ParameterName(reducer, 0));
        var b = _names.Fresh(ParameterName(reducer, 1));
        var combine = new Block($"if ({exists})", [
            S($"{reducer.Parameters[0].Type} {a} = {total}!;"),
            S($"{total} = {Call(reducer, "ReduceByKeyAndWindow", a, b)};"),
        ]);
        var first = new Block("else", [S($"{total} = {b};")]);

        OpenLoop loop;
        if (WordSplit(input, out var split, out var keyed) && keyed!.Functions[0].KeyedValue is { } valueTemplate && keyed.KeyType == "string")
        {
            loop = OpenSplit(split!, "FlatMap (split into spans) → Map");
            loop.Inner.Add(S($"{reducer.Parameters[1].Type} {b} = {Inline(keyed.Functions[0], valueTemplate)};"));
            loop.Inner.Add(S($"ref var {total} = ref {_output}.GetValueRef({loop.Local}, out bool {exists});"));
            loop.Operators.Add("ReduceByKey into the window's slice (words interned as spans)");
        }
        else
        {
            loop = Open(_root, "pair");
            loop.Inner.Add(S($"{reducer.Parameters[1].Type} {b} = {loop.Local}.Item2;"));
            loop.Inner.Add(S($"ref var {total} = ref {_output}.GetValueRef({loop.Local}.Item1, out bool {exists});"));
            loop.Operators.Add("ReduceByKey into the window's slice");
        }

        loop.Inner.Add(combine);
        loop.Inner.Add(first);
        Close(loop);
    }

    private void SliceCountByValue()
    {
        var input = _definition.Nodes[_root];
        OpenLoop loop;
        if (input is { IsSource: false, Operator: PipelineOperator.FlatMap, ElementType: "string" } && input.Functions[0].Split is { } split)
        {
            loop = OpenSplit((input, split), "FlatMap (split into spans)");
            loop.Operators.Add("CountByValue into the window's slice (words interned as spans)");
        }
        else
        {
            loop = Open(_root, "value");
            loop.Operators.Add("CountByValue into the window's slice");
        }

        loop.Inner.Add(S($"{_output}.GetValueRef({loop.Local}, out _)++;"));
        Close(loop);
    }

    private void SliceReduce(LambdaModel reducer)
    {
        var loop = Open(_root, ParameterName(reducer, 1));
        var accumulator = _names.Fresh(ParameterName(reducer, 0));
        var has = _names.Fresh("has" + Pascal(ParameterName(reducer, 0)));
        loop.Prologue.Add(S($"{reducer.Parameters[0].Type} {accumulator} = default!;"));
        loop.Prologue.Add(S($"bool {has} = false;"));
        var value = loop.Local;
        if (reducer.Parameters[1].Type != _definition.Nodes[_root].ElementType)
        {
            value = _names.Fresh("value");
            loop.Inner.Add(S($"{reducer.Parameters[1].Type} {value} = {loop.Local};"));
        }

        loop.Inner.Add(new Block($"if ({has})", [S($"{accumulator} = {Call(reducer, "ReduceByWindow", accumulator, value)};")]));
        loop.Inner.Add(new Block("else", [S($"{accumulator} = {value};"), S($"{has} = true;")]));
        loop.Operators.Add("Reduce");
        Close(loop);
        CloseSliceValue($"if ({has})", accumulator, "the batch's reduced value, if any, into the window's slice");
    }

    private void SliceCount()
    {
        var loop = Open(_root, "record");
        var count = _names.Fresh("count");
        loop.Prologue.Add(S($"long {count} = 0;"));
        loop.Inner.Add(S($"{count}++;"));
        loop.Operators.Add("Count");
        Close(loop);
        CloseSliceValue($"if ({count} > 0)", count, "the batch's count, if any records, into the window's slice");
    }

    /// <summary>A last step writing <paramref name="value"/> under key 0 when <paramref name="condition"/> holds.</summary>
    private void CloseSliceValue(string condition, string value, string description)
    {
        var block = new Block(condition, [S($"{_output}.GetValueRef((byte)0, out _) = {value};")]);
        var drain = new OpenLoop(value, block);
        drain.Root.Add(block);
        drain.Operators.Add(description);
        Close(drain);
    }
}
