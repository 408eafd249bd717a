using System.Collections.Generic;
using System.Linq;
using Pipelines.Compilation;
using Pipelines.Generators.Emitting;
using Pipelines.Generators.Model;

namespace Pipelines.Generators.Planning;

/// <summary>Builds the fused loops of one compiled definition (see <see cref="Planner"/>).</summary>
internal sealed partial class StageBuilder
{
    private const string Marshal = "global::System.Runtime.InteropServices.CollectionsMarshal";
    private const string Memory = "global::System.MemoryExtensions";

    private readonly DefinitionModel _definition;
    private readonly string _streamName;
    private readonly string _className;
    private readonly NameScope _names;
    private readonly List<string> _inputs = [];
    private readonly string _output;
    private readonly List<FieldPlan> _fields = [];
    private readonly List<LoopPlan> _loops = [];
    private readonly List<LocalFunctionPlan> _functions = [];
    private readonly Dictionary<LambdaModel, string> _functionNames = [];

    private readonly int _root;

    /// <param name="definition">
    /// The stage's graph: its inputs are the sources, numbered as <see cref="DefinitionModel.Parameters"/> (the
    /// definition's parameters or streams the runtime computes).
    /// </param>
    /// <param name="root">The node whose records the stage outputs.</param>
    /// <param name="stageClassName">The generated class's name (unique in the pipeline class).</param>
    /// <param name="streamName">The compiled stream's name, used in errors.</param>
    /// <param name="outputName">The preferred name of the <c>Process</c> parameter the stage writes to.</param>
    public StageBuilder(DefinitionModel definition, int root, string stageClassName, string streamName, string outputName = "output")
    {
        _definition = definition;
        _root = root;
        _streamName = streamName;
        var reserved = definition.Nodes.SelectMany(n => n.Functions).SelectMany(f => f.Identifiers);
        _names = new NameScope(reserved);
        _names.Claim(stageClassName);
        _className = stageClassName;
        foreach (var parameter in definition.Parameters)
        {
            _inputs.Add(_names.Fresh(parameter.Name));
        }

        _output = _names.Fresh(outputName);
    }

    public StagePlan Build()
    {
        var loop = Open(_root, "record");
        loop.Operators.Add("Output");
        loop.Inner.Add(S($"{_output}.Add({loop.Local});"));
        if (loop.PartitionBlock is not null)
        {
            loop.PartitionBlock.Add(new Block($"if ({loop.Batch}.PartitionCount > 1)", [S($"{_output}.EndPartition();")]));
        }

        Close(loop);
        var outputType = _root == _definition.Root ? _definition.OutputType : _definition.Nodes[_root].ElementType;
        return new StagePlan(
            outputType,
            _className,
            _streamName,
            _definition.Parameters.Select(p => p.ElementType).ToEquatableArray(),
            _inputs.ToEquatableArray(),
            _output,
            _fields.ToEquatableArray(),
            _loops.ToEquatableArray(),
            _functions.ToEquatableArray());
    }

    /// <summary>Opens the loop that produces node <paramref name="index"/>'s records, one at a time, in a local.</summary>
    private OpenLoop Open(int index, string preferredName)
    {
        var node = _definition.Nodes[index];
        if (node.IsSource)
        {
            return OpenSource(node, preferredName);
        }

        var functions = node.Functions;
        if (node.Operator is PipelineOperator.Reduce or PipelineOperator.Count && VectorPlanner.Plan(_definition, index) is { } vector)
        {
            return node.Operator == PipelineOperator.Reduce ? Reduce(node, preferredName, vector) : Count(node, preferredName, vector);
        }

        switch (node.Operator)
        {
            case PipelineOperator.Map:
            {
                var loop = Open(node.Input, ParameterName(functions[0], 0));
                var local = _names.Fresh(preferredName);
                loop.Inner.Add(S($"{node.ElementType} {local} = {Call(functions[0], "Map", loop.Local)};"));
                return loop.Then("Map", local);
            }

            case PipelineOperator.Filter:
            {
                var loop = Open(node.Input, ParameterName(functions[0], 0));
                loop.Nest($"if ({Call(functions[0], "Filter", loop.Local)})");
                return loop.Then("Filter", loop.Local);
            }

            case PipelineOperator.FlatMap:
            {
                var loop = Open(node.Input, ParameterName(functions[0], 0));
                var sequence = Call(functions[0], "FlatMap", loop.Local);
                if (functions[0] is { IsBlock: false, BodyType: null })
                {
                    var items = _names.Fresh("items");
                    loop.Inner.Add(S($"global::System.Collections.Generic.IEnumerable<{node.ElementType}> {items} = {sequence};"));
                    sequence = items;
                }

                var local = _names.Fresh(preferredName);
                loop.Nest($"foreach ({node.ElementType} {local} in {sequence})");
                return loop.Then("FlatMap", local);
            }

            case PipelineOperator.MapValues:
            {
                var loop = Open(node.Input, "pair");
                var local = _names.Fresh(preferredName);
                loop.Inner.Add(S($"{node.ElementType} {local} = ({loop.Local}.Item1, {Call(functions[0], "MapValues", loop.Local + ".Item2")});"));
                return loop.Then("MapValues", local);
            }

            case PipelineOperator.FlatMapValues:
            {
                var loop = Open(node.Input, "pair");
                var value = _names.Fresh("value");
                var sequence = Call(functions[0], "FlatMapValues", loop.Local + ".Item2");
                if (functions[0] is { IsBlock: false, BodyType: null })
                {
                    var items = _names.Fresh("items");
                    loop.Inner.Add(S($"global::System.Collections.Generic.IEnumerable<{node.ValueType}> {items} = {sequence};"));
                    sequence = items;
                }

                loop.Nest($"foreach ({node.ValueType} {value} in {sequence})");
                var local = _names.Fresh(preferredName);
                loop.Inner.Add(S($"{node.ElementType} {local} = ({loop.Local}.Item1, {value});"));
                return loop.Then("FlatMapValues", local);
            }

            case PipelineOperator.ReduceByKey:
                return ReduceByKey(node, preferredName);
            case PipelineOperator.CountByValue:
                return CountByValue(node, preferredName);
            case PipelineOperator.Count:
                return Count(node, preferredName);
            case PipelineOperator.Reduce:
                return Reduce(node, preferredName);
            case PipelineOperator.CombineByKey:
                return CombineByKey(node, preferredName);
            case PipelineOperator.GroupByKey:
                return GroupByKey(node, preferredName);
            case PipelineOperator.Join:
                return Join(node, preferredName);
            case PipelineOperator.CoGroup:
                return CoGroup(node, preferredName);
            case PipelineOperator.WithEventTime:
                return WithEventTime(node);
            default:
                return OuterJoin(node, preferredName);
        }
    }

    private OpenLoop OpenSource(NodeModel node, string preferredName)
    {
        var batch = _inputs[node.ParameterIndex];
        var partition = _names.Fresh("partition");
        var records = _names.Fresh("records");
        var i = _names.Fresh("i");
        var local = _names.Fresh(preferredName);
        var partitionBlock = new Block($"for (int {partition} = 0; {partition} < {batch}.PartitionCount; {partition}++)",
            [S($"global::System.ReadOnlySpan<{node.ElementType}> {records} = {batch}.GetPartition({partition});")]);
        var recordBlock = new Block($"for (int {i} = 0; {i} < {records}.Length; {i}++)", [S($"{node.ElementType} {local} = {records}[{i}];")]);
        partitionBlock.Add(recordBlock);
        var loop = new OpenLoop(local, recordBlock) { Batch = batch, PartitionBlock = partitionBlock, RecordBlock = recordBlock, Records = records, Index = i, Partition = partition };
        loop.Root.Add(partitionBlock);
        loop.Operators.Add("read " + _definition.Parameters[node.ParameterIndex].Name);
        return loop;
    }

    private OpenLoop ReduceByKey(NodeModel node, string preferredName)
    {
        var reducer = node.Functions[0];
        var input = _definition.Nodes[node.Input];
        var field = Field($"global::System.Collections.Generic.Dictionary<{node.KeyType}, {node.ValueType}>", "_totals");
        var total = _names.Fresh("total");
        var exists = _names.Fresh("exists");
        var a = _names.Fresh(ParameterName(reducer, 0));
        var b = _names.Fresh(ParameterName(reducer, 1));
        var combine = new Block($"if ({exists})", [
            S($"{reducer.Parameters[0].Type} {a} = {total}!;"),
            S($"{total} = {Call(reducer, "ReduceByKey", a, b)};"),
        ]);
        var first = new Block("else", [S($"{total} = {b};")]);

        OpenLoop loop;
        if (WordSplit(input, out var split, out var keyed) && keyed!.Functions[0].KeyedValue is { } valueTemplate && keyed.KeyType == "string")
        {
            _fields.RemoveAt(_fields.Count - 1);
            _fields.Add(new FieldPlan($"global::Pipelines.Compilation.SpanKeyedTable<{node.ValueType}>", field));
            loop = OpenSplit(split!, "FlatMap (split into spans) → Map");
            loop.Prologue.Add(S($"{field}.BeginBatch();"));
            loop.Inner.Add(S($"{reducer.Parameters[1].Type} {b} = {Inline(keyed.Functions[0], valueTemplate)};"));
            loop.Inner.Add(S($"ref var {total} = ref {field}.GetValueRef({loop.Local}, out bool {exists});"));
            loop.Operators.Add("ReduceByKey (map-side combine, words looked up as spans)");
            loop.Inner.Add(combine);
            loop.Inner.Add(first);
            Close(loop);
            return DrainSpanTable(node, field, "ReduceByKey", preferredName);
        }
        loop = Open(node.Input, "pair");
        loop.Prologue.Add(S($"{field}.Clear();"));
        loop.Inner.Add(S($"{reducer.Parameters[1].Type} {b} = {loop.Local}.Item2;"));
        loop.Inner.Add(S($"ref var {total} = ref {Marshal}.GetValueRefOrAddDefault({field}, {loop.Local}.Item1, out bool {exists});"));
        loop.Operators.Add("ReduceByKey (map-side combine)");

        loop.Inner.Add(combine);
        loop.Inner.Add(first);
        Close(loop);
        return DrainDictionary(node, field, node.KeyType!, node.ValueType!, "ReduceByKey", preferredName);
    }

    private OpenLoop CountByValue(NodeModel node, string preferredName)
    {
        var input = _definition.Nodes[node.Input];
        if (input is { IsSource: false, Operator: PipelineOperator.FlatMap, ElementType: "string" } && input.Functions[0].Split is { } split)
        {
            var table = Field("global::Pipelines.Compilation.SpanKeyedTable<long>", "_counts");
            var words = OpenSplit((input, split), "FlatMap (split into spans)");
            words.Prologue.Add(S($"{table}.BeginBatch();"));
            words.Inner.Add(S($"{table}.GetValueRef({words.Local}, out _)++;"));
            words.Operators.Add("CountByValue (words looked up as spans)");
            Close(words);
            return DrainSpanTable(node, table, "CountByValue", preferredName);
        }

        var field = Field($"global::System.Collections.Generic.Dictionary<{input.ElementType}, long>", "_counts");
        var loop = Open(node.Input, "value");
        loop.Prologue.Add(S($"{field}.Clear();"));
        loop.Inner.Add(S($"{Marshal}.GetValueRefOrAddDefault({field}, {loop.Local}, out _)++;"));
        loop.Operators.Add("CountByValue");
        Close(loop);
        return DrainDictionary(node, field, input.ElementType, "long", "CountByValue", preferredName);
    }

    private OpenLoop Count(NodeModel node, string preferredName, VectorPlan? vector = null)
    {
        var loop = Open(node.Input, "record");
        var count = _names.Fresh("count");
        loop.Prologue.Add(S($"long {count} = 0;"));
        loop.Inner.Add(S($"{count}++;"));
        loop.Operators.Add("Count");
        if (vector is not null)
        {
            AddVectorLoop(loop, vector, count, null);
        }

        Close(loop);

        var local = _names.Fresh(preferredName);
        var drain = new OpenLoop(local, null);
        drain.Root.Add(S($"long {local} = {count};"));
        drain.Operators.Add("the count");
        return drain;
    }

    private OpenLoop Reduce(NodeModel node, string preferredName, VectorPlan? vector = null)
    {
        var reducer = node.Functions[0];
        var loop = Open(node.Input, ParameterName(reducer, 1));
        var accumulator = _names.Fresh(ParameterName(reducer, 0));
        var has = _names.Fresh("has" + Pascal(ParameterName(reducer, 0)));
        // A vectorized floating-point sum adds dropped lanes as -0.0, so it starts from -0.0 (x + -0.0 == x for every x).
        var initial = vector is not null && VectorPlanner.IsFloatingPoint(vector.ResultType) ? (vector.ResultType == "float" ? "-0.0f" : "-0.0") : "default!";
        loop.Prologue.Add(S($"{reducer.Parameters[0].Type} {accumulator} = {initial};"));
        loop.Prologue.Add(S($"bool {has} = false;"));
        var value = loop.Local;
        if (reducer.Parameters[1].Type != node.ElementType)
        {
            value = _names.Fresh("value");
            loop.Inner.Add(S($"{reducer.Parameters[1].Type} {value} = {loop.Local};"));
        }

        loop.Inner.Add(new Block($"if ({has})", [S($"{accumulator} = {Call(reducer, "Reduce", accumulator, value)};")]));
        loop.Inner.Add(new Block("else", [S($"{accumulator} = {value};"), S($"{has} = true;")]));
        loop.Operators.Add("Reduce");
        if (vector is not null)
        {
            AddVectorLoop(loop, vector, accumulator, has);
        }

        Close(loop);

        var local = _names.Fresh(preferredName);
        var block = new Block($"if ({has})", [S($"{node.ElementType} {local} = {accumulator};")]);
        var drain = new OpenLoop(local, block);
        drain.Root.Add(block);
        drain.Operators.Add("the reduced value, if any");
        return drain;
    }

    private OpenLoop GroupByKey(NodeModel node, string preferredName)
    {
        var input = _definition.Nodes[node.Input];
        var list = $"global::System.Collections.Generic.List<{input.ValueType}>";
        var field = Field($"global::System.Collections.Generic.Dictionary<{input.KeyType}, {list}>", "_groups");
        var loop = Open(node.Input, "pair");
        var group = _names.Fresh("group");
        loop.Prologue.Add(S($"{field}.Clear();"));
        loop.Inner.Add(S($"ref var {group} = ref {Marshal}.GetValueRefOrAddDefault({field}, {loop.Local}.Item1, out _);"));
        loop.Inner.Add(S($"({group} ??= new {list}()).Add({loop.Local}.Item2);"));
        loop.Operators.Add("GroupByKey (one list per key)");
        Close(loop);
        return DrainDictionary(node, field, input.KeyType!, list, "GroupByKey", preferredName);
    }

    private OpenLoop CombineByKey(NodeModel node, string preferredName)
    {
        var (create, mergeValue, mergeCombiners) = (node.Functions[0], node.Functions[1], node.Functions[2]);
        var input = _definition.Nodes[node.Input];
        var dictionary = $"global::System.Collections.Generic.Dictionary<{node.KeyType}, {node.ValueType}>";
        var partial = Field(dictionary, "_partitionCombiners");
        var merged = Field(dictionary, "_combiners");
        var loop = Open(node.Input, "pair");
        loop.Prologue.Add(S($"{partial}.Clear();"));
        loop.Prologue.Add(S($"{merged}.Clear();"));

        var combiner = _names.Fresh("combiner");
        var exists = _names.Fresh("exists");
        var c = _names.Fresh(ParameterName(mergeValue, 0));
        var v = _names.Fresh(ParameterName(mergeValue, 1));
        var first = _names.Fresh(ParameterName(create, 0));
        loop.Inner.Add(S($"ref var {combiner} = ref {Marshal}.GetValueRefOrAddDefault({partial}, {loop.Local}.Item1, out bool {exists});"));
        loop.Inner.Add(new Block($"if ({exists})", [
            S($"{mergeValue.Parameters[0].Type} {c} = {combiner}!;"),
            S($"{mergeValue.Parameters[1].Type} {v} = {loop.Local}.Item2;"),
            S($"{combiner} = {Call(mergeValue, "MergeValue", c, v)};"),
        ]));
        loop.Inner.Add(new Block("else", [
            S($"{create.Parameters[0].Type} {first} = {loop.Local}.Item2;"),
            S($"{combiner} = {Call(create, "CreateCombiner", first)};"),
        ]));

        // After each input partition, merge its combiners into the batch's (Spark's mergeCombiners).
        var entry = _names.Fresh("entry");
        var total = _names.Fresh("total");
        var found = _names.Fresh("found");
        var c1 = _names.Fresh(ParameterName(mergeCombiners, 0));
        var c2 = _names.Fresh(ParameterName(mergeCombiners, 1));
        var merge = new Block($"foreach (global::System.Collections.Generic.KeyValuePair<{node.KeyType}, {node.ValueType}> {entry} in {partial})", [
            S($"ref var {total} = ref {Marshal}.GetValueRefOrAddDefault({merged}, {entry}.Key, out bool {found});"),
            new Block($"if ({found})", [
                S($"{mergeCombiners.Parameters[0].Type} {c1} = {total}!;"),
                S($"{mergeCombiners.Parameters[1].Type} {c2} = {entry}.Value;"),
                S($"{total} = {Call(mergeCombiners, "MergeCombiners", c1, c2)};"),
            ]),
            new Block("else", [S($"{total} = {entry}.Value;")]),
        ]);
        loop.AtPartitionEnd(merge);
        loop.AtPartitionEnd(S($"{partial}.Clear();"));
        loop.Operators.Add("CombineByKey (per-partition combiners, merged at each partition end)");
        Close(loop);
        return DrainDictionary(node, merged, node.KeyType!, node.ValueType!, "CombineByKey", preferredName);
    }

    private OpenLoop Join(NodeModel node, string preferredName)
    {
        var table = JoinTable(node);
        var right = Open(node.Other, "pair");
        right.Prologue.Add(S($"{table}.Clear();"));
        right.Inner.Add(S($"{table}.AddRight({right.Local}.Item1, {right.Local}.Item2);"));
        right.Operators.Add("Join (build the right side's table)");
        Close(right);

        var left = Open(node.Input, "pair");
        var keyIndex = _names.Fresh("keyIndex");
        var match = _names.Fresh("match");
        left.Nest($"if ({table}.TryFindKey({left.Local}.Item1, out int {keyIndex}))");
        left.Nest($"for (int {match} = {table}.FirstRight({keyIndex}); {match} >= 0; {match} = {table}.NextRight({match}))");
        var local = _names.Fresh(preferredName);
        left.Inner.Add(S($"{node.ElementType} {local} = ({left.Local}.Item1, ({left.Local}.Item2, {table}.GetRight({match})));"));
        left.PartitionBlock = null;
        return left.Then("Join (probe)", local);
    }

    private OpenLoop OuterJoin(NodeModel node, string preferredName)
    {
        var (leftOuter, rightOuter) = node.Operator switch
        {
            PipelineOperator.LeftOuterJoin => (true, false),
            PipelineOperator.RightOuterJoin => (false, true),
            _ => (true, true),
        };

        var table = FillBothSides(node);
        var keyIndex = _names.Fresh("keyIndex");
        var l = _names.Fresh("left");
        var r = _names.Fresh("right");
        var local = _names.Fresh(preferredName);
        var leftType = _definition.Nodes[node.Input].ValueType;
        var rightType = _definition.Nodes[node.Other].ValueType;
        var leftValue = rightOuter
            ? $"{l} < 0 ? global::Pipelines.Optional<{leftType}>.None : new global::Pipelines.Optional<{leftType}>({table}.GetLeft({l}))"
            : $"{table}.GetLeft({l})";
        var rightValue = leftOuter
            ? $"{r} < 0 ? global::Pipelines.Optional<{rightType}>.None : new global::Pipelines.Optional<{rightType}>({table}.GetRight({r}))"
            : $"{table}.GetRight({r})";
        var pairs = new Block($"foreach ((int {l}, int {r}) in {table}.GetPairings({keyIndex}, leftOuter: {Bool(leftOuter)}, rightOuter: {Bool(rightOuter)}))", [
            S($"{node.ElementType} {local} = ({table}.GetKey({keyIndex}), ({leftValue}, {rightValue}));"),
        ]);
        var keys = new Block($"for (int {keyIndex} = 0; {keyIndex} < {table}.KeyCount; {keyIndex}++)", [pairs]);
        var drain = new OpenLoop(local, pairs);
        drain.Root.Add(keys);
        drain.Operators.Add(node.Operator + " (pairings per key)");
        return drain;
    }

    private OpenLoop CoGroup(NodeModel node, string preferredName)
    {
        var table = FillBothSides(node);
        var keyIndex = _names.Fresh("keyIndex");
        var local = _names.Fresh(preferredName);
        var keys = new Block($"for (int {keyIndex} = 0; {keyIndex} < {table}.KeyCount; {keyIndex}++)", [
            S($"{node.ElementType} {local} = ({table}.GetKey({keyIndex}), ({table}.CopyLeft({keyIndex}), {table}.CopyRight({keyIndex})));"),
        ]);
        var drain = new OpenLoop(local, keys);
        drain.Root.Add(keys);
        drain.Operators.Add("CoGroup (value lists per key)");
        return drain;
    }

    private string FillBothSides(NodeModel node)
    {
        var table = JoinTable(node);
        var left = Open(node.Input, "pair");
        left.Prologue.Add(S($"{table}.Clear();"));
        left.Inner.Add(S($"{table}.AddLeft({left.Local}.Item1, {left.Local}.Item2);"));
        left.Operators.Add(node.Operator + " (left side into the table)");
        Close(left);

        var right = Open(node.Other, "pair");
        right.Inner.Add(S($"{table}.AddRight({right.Local}.Item1, {right.Local}.Item2);"));
        right.Operators.Add(node.Operator + " (right side into the table)");
        Close(right);
        return table;
    }

    private string JoinTable(NodeModel node)
    {
        var left = _definition.Nodes[node.Input];
        var right = _definition.Nodes[node.Other];
        return Field($"global::Pipelines.Compilation.JoinTable<{left.KeyType}, {left.ValueType}, {right.ValueType}>", "_table");
    }

    /// <summary>Whether <paramref name="input"/> is <c>Map(w =&gt; (w, …))</c> over a constant string split.</summary>
    private bool WordSplit(NodeModel input, out (NodeModel FlatMap, SplitModel Split)? split, out NodeModel? keyed)
    {
        split = null;
        keyed = null;
        if (input is { IsSource: false, Operator: PipelineOperator.Map } && input.Functions[0].KeyedValue is not null)
        {
            var flatMap = _definition.Nodes[input.Input];
            if (flatMap is { IsSource: false, Operator: PipelineOperator.FlatMap, ElementType: "string" } && flatMap.Functions[0].Split is { } s)
            {
                split = (flatMap, s);
                keyed = input;
                return true;
            }
        }

        return false;
    }

    /// <summary>Opens the loop over the spans of the words of each string the split's input produces.</summary>
    private OpenLoop OpenSplit((NodeModel FlatMap, SplitModel Split)? target, string operators)
    {
        var (flatMap, split) = target!.Value;
        var source = _definition.Nodes[flatMap.Input];
        var loop = Open(flatMap.Input, ParameterName(flatMap.Functions[0], 0));
        var readsLines = source is { IsSource: true, ElementType: "string" } && loop.RecordBlock is not null && loop.Inner == loop.RecordBlock;
        var line = loop.Local;
        var start = _names.Fresh("start");
        var length = _names.Fresh("length");
        var word = _names.Fresh("word");
        var separator = split.SeparatorLength == 1 && split.SeparatorLiteral.StartsWith("'", System.StringComparison.Ordinal)
            ? split.SeparatorLiteral
            : $"{Memory}.AsSpan({split.SeparatorLiteral})";
        var header = $"for (int {start} = 0; {start} <= {line}.Length;)";
        loop.Nest(header);
        loop.Inner.Add(S($"int {length} = {Memory}.IndexOf({Memory}.AsSpan({line}, {start}), {separator});"));
        loop.Inner.Add(new Block($"if ({length} < 0)", [S($"{length} = {line}.Length - {start};")]));
        loop.Inner.Add(S($"global::System.ReadOnlySpan<char> {word} = {Memory}.AsSpan({line}, {start}, {length});"));
        loop.Inner.Add(S($"{start} += {length} + {split.SeparatorLength};"));
        if (split.TrimEntries)
        {
            loop.Inner.Add(S($"{word} = {Memory}.Trim({word});"));
        }

        if (readsLines)
        {
            // The same split over the lines of pooled line blocks (a socket text stream): the line is a span of the
            // block, the words spans of it; the statements that follow are shared with the string loop at Close.
            var words = new Block(header, [
                S($"int {length} = {Memory}.IndexOf({line}.Slice({start}), {separator});"),
                new Block($"if ({length} < 0)", [S($"{length} = {line}.Length - {start};")]),
                S($"global::System.ReadOnlySpan<char> {word} = {line}.Slice({start}, {length});"),
                S($"{start} += {length} + {split.SeparatorLength};"),
            ]);
            if (split.TrimEntries)
            {
                words.Add(S($"{word} = {Memory}.Trim({word});"));
            }

            var blocks = _names.Fresh("blocks");
            var block = _names.Fresh("block");
            var chars = _names.Fresh("chars");
            var ends = _names.Fresh("ends");
            var lineStart = _names.Fresh("lineStart");
            var index = loop.Index!;
            var partition = loop.Partition!;
            var lines = new Block($"for (int {index} = 0; {index} < {ends}.Length; {index}++)", [
                S($"global::System.ReadOnlySpan<char> {line} = {chars}.Slice({lineStart}, {ends}[{index}] - {lineStart});"),
                S($"{lineStart} = {ends}[{index}];"),
                words,
            ]);
            var partitionBlock = new Block($"for (int {partition} = 0; {partition} < {blocks}.PartitionCount; {partition}++)", [
                new Block($"foreach (global::Pipelines.Compilation.TextLineBlock {block} in {blocks}.GetPartition({partition}))", [
                    S($"global::System.ReadOnlySpan<char> {chars} = {block}.Chars;"),
                    S($"global::System.ReadOnlySpan<int> {ends} = {block}.LineEnds;"),
                    S($"int {lineStart} = 0;"),
                    lines,
                ]),
            ]);
            loop.LineBlocks = new LineBlockLoop(blocks, partitionBlock, words, loop.Inner, loop.Inner.Items.Count);
        }

        if (split.RemoveEmptyEntries)
        {
            loop.Nest($"if (!{word}.IsEmpty)");
        }

        return loop.Then(operators, word);
    }

    private OpenLoop DrainDictionary(NodeModel node, string field, string keyType, string valueType, string operatorName, string preferredName)
    {
        var entry = _names.Fresh("entry");
        var local = _names.Fresh(preferredName);
        var block = new Block($"foreach (global::System.Collections.Generic.KeyValuePair<{keyType}, {valueType}> {entry} in {field})", [
            S($"{node.ElementType} {local} = ({entry}.Key, {entry}.Value);"),
        ]);
        var drain = new OpenLoop(local, block);
        drain.Root.Add(block);
        drain.Operators.Add(operatorName + " results, keys in first-seen order");
        return drain;
    }

    private OpenLoop DrainSpanTable(NodeModel node, string table, string operatorName, string preferredName)
    {
        var index = _names.Fresh("index");
        var local = _names.Fresh(preferredName);
        var block = new Block($"for (int {index} = 0; {index} < {table}.Count; {index}++)", [
            S($"{node.ElementType} {local} = ({table}.GetKey({index}), {table}.GetValue({index}));"),
        ]);
        var drain = new OpenLoop(local, block);
        drain.Root.Add(block);
        drain.Operators.Add(operatorName + " results, words in first-seen order");
        return drain;
    }

    /// <summary>
    /// Puts the SIMD loop of <paramref name="vector"/> before the scalar record loop of each partition; the scalar
    /// loop then starts where the vectors stopped (the last records, fewer than a vector).
    /// </summary>
    private void AddVectorLoop(OpenLoop loop, VectorPlan vector, string accumulator, string? has)
    {
        var records = loop.Records!;
        var index = loop.Index!;
        loop.RecordBlock!.Header = $"for (; {index} < {records}.Length; {index}++)";
        loop.PartitionBlock!.Items.Insert(1, S($"int {index} = 0;"));
        loop.PartitionBlock.Items.Insert(2, S($"// SIMD: whole Vector<{vector.LaneType}> steps first (filters are lane masks, no branches); the loop below runs the rest"));
        loop.PartitionBlock.Items.Insert(3, VectorEmitter.Emit(vector, _names, records, index, accumulator, has));
    }

    private void Close(OpenLoop loop)
    {
        if (loop.LineBlocks is { } lineBlocks && loop.PartitionBlock is { } stringPartitions)
        {
            // What follows the word split (the shared statements) goes into both loops; the block loop runs when
            // the batch holds line blocks (TextLineBlocks.TryGet), the string loop otherwise.
            lineBlocks.Words.AddRange(lineBlocks.StringWords.Items.Skip(lineBlocks.SharedFrom));
            lineBlocks.PartitionBlock.AddRange(loop.PartitionEnd);
            stringPartitions.AddRange(loop.PartitionEnd);
            var at = loop.Root.IndexOf(stringPartitions);
            loop.Root[at] = new Block($"if (global::Pipelines.Compilation.TextLineBlocks.TryGet({loop.Batch}, out global::Pipelines.Compilation.TextLineBlocks {lineBlocks.Blocks}))", [
                S("// Lines a socket text stream holds in pooled blocks: read as spans, no string per line"),
                lineBlocks.PartitionBlock,
            ]);
            loop.Root.Insert(at + 1, new Block("else", [stringPartitions]));
            loop.PartitionEnd.Clear();
            loop.PartitionBlock = null;
        }

        if (loop.PartitionBlock is null && loop.PartitionEnd.Count > 0)
        {
            loop.Root.AddRange(loop.PartitionEnd);
        }
        else if (loop.PartitionBlock is not null)
        {
            loop.PartitionBlock.AddRange(loop.PartitionEnd);
        }

        _loops.Add(new LoopPlan(
            loop.Operators.ToEquatableArray(),
            loop.Prologue.Select(ToNode).ToEquatableArray(),
            loop.Root.Select(ToNode).ToEquatableArray()));
    }

    private string Field(string type, string preferred)
    {
        var name = _names.Fresh(preferred);
        _fields.Add(new FieldPlan(type, name));
        return name;
    }

    /// <summary>The lambda applied to <paramref name="arguments"/>: its body inlined, or a call to its local function.</summary>
    private string Call(LambdaModel lambda, string operatorName, params string[] arguments)
    {
        if (lambda.IsBlock)
        {
            if (!_functionNames.TryGetValue(lambda, out var name))
            {
                name = _names.Fresh(operatorName + Pascal(ParameterName(lambda, 0)));
                _functionNames[lambda] = name;
                _functions.Add(new LocalFunctionPlan(name, lambda.ReturnType, lambda.Parameters, lambda.Body));
            }

            return name + "(" + string.Join(", ", arguments) + ")";
        }

        return Inline(lambda, lambda.Body, arguments);
    }

    /// <summary>
    /// <paramref name="template"/> (a template of <paramref name="lambda"/>) with its parameters replaced by
    /// <paramref name="arguments"/> and the variables it declares by fresh names: each inlining declares its own.
    /// </summary>
    private string Inline(LambdaModel lambda, string template, params string[] arguments)
    {
        for (var i = 0; i < arguments.Length; i++)
        {
            template = template.Replace(LambdaModel.ParameterMarker(i), arguments[i]);
        }

        for (var i = 0; i < lambda.Locals.Count; i++)
        {
            template = template.Replace(LambdaModel.LocalMarker(i), _names.Fresh(lambda.Locals[i]));
        }

        return template;
    }

    private static string ParameterName(LambdaModel lambda, int index) =>
        index < lambda.Parameters.Count && lambda.Parameters[index].Name is { Length: > 0 } name && name != "_" ? name : "value";

    private static string Pascal(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name.Substring(1);

    private static string Bool(bool value) => value ? "true" : "false";

    private static object S(string text) => text;

    private static CodeNode ToNode(object item) => item switch
    {
        Block block => new CodeNode(block.Header, true, block.Items.Select(ToNode).ToEquatableArray()),
        CodeNode node => node,
        _ => CodeNode.Statement((string)item),
    };

    /// <summary>A block under construction: a header line and its statements (strings) and nested blocks.</summary>
    private sealed class Block(string header, List<object>? items = null)
    {
        public string Header { get; set; } = header;

        public List<object> Items { get; } = items ?? [];

        public void Add(object item) => Items.Add(item);

        public void AddRange(IEnumerable<object> items) => Items.AddRange(items);
    }

    /// <summary>
    /// The loop over a batch's line blocks that twins a word split's string loop: <paramref name="Words"/> (the split
    /// of one span line) receives the statements the string loop's <paramref name="StringWords"/> gets after its
    /// first <paramref name="SharedFrom"/> (the split itself).
    /// </summary>
    private sealed record LineBlockLoop(string Blocks, Block PartitionBlock, Block Words, Block StringWords, int SharedFrom);

    /// <summary>A loop being fused: where the next statement goes and which local holds the current record.</summary>
    private sealed class OpenLoop
    {
        private readonly Block _root = new(string.Empty);

        public OpenLoop(string local, Block? inner)
        {
            Local = local;
            Inner = inner ?? _root;
        }

        /// <summary>The loop's top-level statements.</summary>
        public List<object> Root => _root.Items;

        /// <summary>Statements before the loop (clearing reused tables, accumulators).</summary>
        public List<object> Prologue { get; } = [];

        /// <summary>The innermost block: the statements that see the current record.</summary>
        public Block Inner { get; private set; }

        /// <summary>The local holding the current record.</summary>
        public string Local { get; private set; }

        /// <summary>The input batch when the loop walks its partitions.</summary>
        public string? Batch { get; set; }

        /// <summary>The loop over one partition's records, when the loop reads a source.</summary>
        public Block? RecordBlock { get; set; }

        /// <summary>The span of one partition's records and the index into it, when the loop reads a source.</summary>
        public string? Records { get; set; }

        public string? Index { get; set; }

        /// <summary>The partition variable of the loop over the source's partitions.</summary>
        public string? Partition { get; set; }

        /// <summary>The twin loop over pooled line blocks, when the loop splits the lines of a string source.</summary>
        public LineBlockLoop? LineBlocks { get; set; }

        /// <summary>The block run once per input partition, while the records still keep their partitions.</summary>
        public Block? PartitionBlock { get; set; }

        /// <summary>Statements to run after each input partition (or once, when partitions are gone).</summary>
        public List<object> PartitionEnd { get; } = [];

        public List<string> Operators { get; } = [];

        public void Nest(string header)
        {
            var block = new Block(header);
            Inner.Add(block);
            Inner = block;
        }

        public void AtPartitionEnd(object statement) => PartitionEnd.Add(statement);

        public OpenLoop Then(string operatorName, string local)
        {
            Operators.Add(operatorName);
            Local = local;
            return this;
        }
    }
}
