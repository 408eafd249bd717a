using System.Collections.Generic;
using System.Linq;
using Pipelines.Generators.Model;
using Pipelines.Generators.Planning;

namespace Pipelines.Generators.Emitting;

/// <summary>
/// Writes the SIMD part of a <see cref="VectorPlan"/>: a loop over whole <c>Vector&lt;T&gt;</c> steps of one
/// partition's records, where each Map is vector arithmetic, each Filter a lane mask (no branch), and the
/// terminal folds the surviving lanes. The scalar fused loop that follows finishes the records left over.
/// Pure: the same plan and names give the same code.
/// </summary>
/// <remarks>
/// A value of a type twice as wide as the lane type takes two vectors (<c>Low</c>, <c>High</c>), so the
/// records of a step stay in order across widening and narrowing. Masks are all-ones/all-zeros lanes of
/// <c>int</c> (for 4-byte values) or <c>long</c> (8-byte), widened and narrowed like values.
/// </remarks>
internal static class VectorEmitter
{
    private const string Vector = "global::System.Numerics.Vector";

    /// <summary>
    /// The block that runs the whole vector steps of <paramref name="records"/> from index <paramref name="index"/>
    /// (left at the first record not processed) and folds them into <paramref name="accumulator"/> (and sets
    /// <paramref name="has"/> when any record survived, for a sum).
    /// </summary>
    public static CodeNode Emit(VectorPlan plan, NameScope names, string records, string index, string accumulator, string? has)
    {
        var writer = new Writer(plan, names);
        return writer.Loop(records, index, accumulator, has);
    }

    private static string Of(string type) => $"{Vector}<{type}>";

    private static string MaskType(string type) => VectorPlanner.Size(type) == 4 ? "int" : "long";

    private static CodeNode S(string text) => CodeNode.Statement(text);

    private static CodeNode Block(string header, IEnumerable<CodeNode> children) => new(header, true, children.ToEquatableArray());

    /// <summary>A value on the lanes: one or two vector expressions (low records first) of <see cref="Type"/>.</summary>
    private sealed record Value(string Type, string[] Chunks);

    private sealed class Writer(VectorPlan plan, NameScope names)
    {
        private readonly List<CodeNode> _body = [];

        private int ChunkCount(string type) => VectorPlanner.Size(type) / VectorPlanner.Size(plan.LaneType);

        public CodeNode Loop(string records, string index, string accumulator, string? has)
        {
            var lane = Of(plan.LaneType);
            var first = names.Fresh("first");
            var before = new List<CodeNode>
            {
                S($"ref {plan.SourceType} {first} = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference({records});"),
            };
            var after = new List<CodeNode>();

            // Load the step's records.
            var sourceName = plan.Steps.Count > 0 ? plan.Steps[0].ParameterName : "value";
            var loaded = Materialize(new Value(plan.SourceType, Enumerable.Range(0, ChunkCount(plan.SourceType))
                .Select(j => j == 0
                    ? $"{Vector}.LoadUnsafe(ref {first}, (nuint){index})"
                    : $"{Vector}.LoadUnsafe(ref {first}, (nuint)({index} + {j} * {Of(plan.SourceType)}.Count))")
                .ToArray()), sourceName);

            var current = loaded;
            Value? alive = null;
            var zeroedEarly = ZeroesEarly(out var lastFilter);
            for (var s = 0; s < plan.Steps.Count; s++)
            {
                var step = plan.Steps[s];
                _body.Add(S($"// {step.Kind}: {Emitter.OneLine(step.Source)}{(step.Kind == VectorStepKind.Filter ? " (a lane mask: all ones where the record is kept)" : string.Empty)}"));
                var result = Expression(step.Body, current);
                if (step.Kind == VectorStepKind.Map)
                {
                    var next = s + 1 < plan.Steps.Count ? plan.Steps[s + 1].ParameterName : "value";
                    current = Materialize(result, next);
                }
                else
                {
                    alive = Materialize(alive is null ? result : Combine("&", alive, result), "keep");
                    if (zeroedEarly && s == lastFilter)
                    {
                        // Only widening casts follow, and they keep 0 as 0: zero the dropped lanes now, at the
                        // narrow width, instead of widening the mask too.
                        _body.Add(S("// dropped lanes become 0 here (only widening casts follow, and they keep 0)"));
                        var mask = ConvertMask(alive, MaskType(current.Type));
                        current = Materialize(Zip(current, mask, current.Type, (v, m) => $"({v} & {m})"), plan.Steps[s].ParameterName + "Kept");
                    }
                }
            }

            if (plan.Terminal == VectorTerminal.Count)
            {
                if (alive is null)
                {
                    after.Add(S($"{accumulator} += {index};"));
                }
                else
                {
                    var counts = names.Fresh("countLanes");
                    before.Add(S($"{Of(alive.Type)} {counts} = {Of(alive.Type)}.Zero;"));
                    _body.Add(S("// Count: a kept lane is -1, so subtracting the mask adds one per kept record"));
                    foreach (var chunk in alive.Chunks)
                    {
                        _body.Add(S($"{counts} -= {chunk};"));
                    }

                    after.Add(S($"{accumulator} += {Vector}.Sum({counts});"));
                }
            }
            else
            {
                Sum(current, alive, zeroedEarly, accumulator, has!, before, after);
            }

            var loop = Block($"for (; {index} <= {records}.Length - {lane}.Count; {index} += {lane}.Count)", _body);
            var children = new List<CodeNode>(before) { loop };
            children.AddRange(after);
            return Block($"if ({Vector}.IsHardwareAccelerated && {records}.Length >= {lane}.Count)", children);
        }

        /// <summary>
        /// Whether an integer sum can zero the dropped lanes right after the last filter: every step after it is a
        /// widening integer cast of its parameter (0 stays 0), so the sum needs no mask of its own.
        /// </summary>
        private bool ZeroesEarly(out int lastFilter)
        {
            lastFilter = -1;
            for (var s = 0; s < plan.Steps.Count; s++)
            {
                if (plan.Steps[s].Kind == VectorStepKind.Filter)
                {
                    lastFilter = s;
                }
            }

            if (plan.Terminal != VectorTerminal.Sum || !VectorPlanner.IsInteger(plan.ResultType) || lastFilter < 0)
            {
                return false;
            }

            for (var s = lastFilter + 1; s < plan.Steps.Count; s++)
            {
                var body = plan.Steps[s].Body;
                while (body.Op == VectorOp.Convert && VectorPlanner.IsInteger(body.Type) && VectorPlanner.Size(body.Type) >= VectorPlanner.Size(body.Operands[0].Type))
                {
                    body = body.Operands[0];
                }

                if (body.Op != VectorOp.Parameter || !VectorPlanner.IsInteger(body.Type))
                {
                    return false;
                }
            }

            return true;
        }

        private void Sum(Value value, Value? alive, bool zeroedEarly, string accumulator, string has, List<CodeNode> before, List<CodeNode> after)
        {
            var type = plan.ResultType;
            var mask = alive is null || zeroedEarly ? null : ConvertMask(alive, MaskType(type));
            if (VectorPlanner.IsInteger(type))
            {
                // Integer lanes wrap like the scalar sum, and addition modulo 2^n does not care about order.
                var lanes = value.Chunks.Select((_, j) => names.Fresh(value.Chunks.Length == 1 ? "sumLanes" : j == 0 ? "sumLanesLow" : "sumLanesHigh")).ToArray();
                foreach (var l in lanes)
                {
                    before.Add(S($"{Of(type)} {l} = {Of(type)}.Zero;"));
                }

                _body.Add(S(mask is null ? (zeroedEarly ? "// Reduce (+): lane-wise sums (dropped lanes are 0)" : "// Reduce (+): lane-wise sums") : "// Reduce (+): lane-wise sums of the kept lanes (the others are masked to 0)"));
                for (var j = 0; j < lanes.Length; j++)
                {
                    _body.Add(S(mask is null ? $"{lanes[j]} += {value.Chunks[j]};" : $"{lanes[j]} += {value.Chunks[j]} & {mask.Chunks[j]};"));
                }

                after.Add(S($"{accumulator} += {Vector}.Sum({string.Join(" + ", lanes)});"));
            }
            else
            {
                // Floating-point addition is not associative: add the lanes one by one, in record order, as the
                // definition does. A dropped lane holds -0.0, which leaves every sum (even -0.0 and NaN) unchanged.
                var identity = type == "float" ? "-0.0f" : "-0.0";
                var laneIndex = names.Fresh("lane");
                _body.Add(S("// Reduce (+): the kept lanes in record order (dropped lanes hold -0.0, the exact identity of +)"));
                for (var j = 0; j < value.Chunks.Length; j++)
                {
                    var chunk = value.Chunks[j];
                    if (mask is not null)
                    {
                        var kept = names.Fresh("kept");
                        _body.Add(S($"{Of(type)} {kept} = {Vector}.ConditionalSelect({mask.Chunks[j]}, {chunk}, new {Of(type)}({identity}));"));
                        chunk = kept;
                    }

                    var add = plan.SwappedSum ? $"{chunk}[{laneIndex}] + {accumulator}" : $"{accumulator} + {chunk}[{laneIndex}]";
                    _body.Add(Block($"for (int {laneIndex} = 0; {laneIndex} < {Of(type)}.Count; {laneIndex}++)", [S($"{accumulator} = {add};")]));
                }
            }

            if (alive is null)
            {
                after.Add(S($"{has} = true;"));
                return;
            }

            var any = names.Fresh("anyKept");
            before.Add(S($"{Of(alive.Type)} {any} = {Of(alive.Type)}.Zero;"));
            foreach (var chunk in alive.Chunks)
            {
                _body.Add(S($"{any} |= {chunk};"));
            }

            after.Add(Block($"if ({any} != {Of(alive.Type)}.Zero)", [S($"{has} = true;")]));
        }

        /// <summary>Declares a local per chunk of <paramref name="value"/>, named after <paramref name="name"/>.</summary>
        private Value Materialize(Value value, string name)
        {
            var locals = new string[value.Chunks.Length];
            for (var j = 0; j < locals.Length; j++)
            {
                locals[j] = names.Fresh(name + "Lanes" + (locals.Length == 1 ? string.Empty : j == 0 ? "Low" : "High"));
                _body.Add(S($"{Of(value.Type)} {locals[j]} = {value.Chunks[j]};"));
            }

            return new Value(value.Type, locals);
        }

        private Value Expression(VectorExpression e, Value parameter)
        {
            switch (e.Op)
            {
                case VectorOp.Parameter:
                    return parameter;
                case VectorOp.Constant:
                    return new Value(e.Type, Enumerable.Repeat($"new {Of(e.Type)}({e.Text})", ChunkCount(e.Type)).ToArray());
                case VectorOp.Convert:
                    return Convert(Expression(e.Operands[0], parameter), e.Type);
                case VectorOp.Negate when VectorPlanner.IsFloatingPoint(e.Type):
                    // Flip the sign bit, as scalar negation does (0 - x would turn +0.0 into +0.0, not -0.0).
                    return Map(Expression(e.Operands[0], parameter), e.Type, c => $"{Vector}.Xor({c}, new {Of(e.Type)}({(e.Type == "float" ? "-0.0f" : "-0.0")}))");
                case VectorOp.Negate:
                    return Map(Expression(e.Operands[0], parameter), e.Type, c => $"-{c}");
                case VectorOp.OnesComplement:
                case VectorOp.LogicalNot:
                {
                    var operand = Expression(e.Operands[0], parameter);
                    return Map(operand, operand.Type, c => $"~{c}");
                }

                case VectorOp.ShiftLeft:
                case VectorOp.ShiftRightArithmetic:
                case VectorOp.ShiftRightLogical:
                    return Map(Expression(e.Operands[0], parameter), e.Type, c => $"{Vector}.{e.Op}({c}, {e.Text})");
                case VectorOp.LowBitsZero:
                {
                    var operand = Expression(e.Operands[0], parameter);
                    return Map(operand, MaskType(operand.Type), c => $"{Vector}.Equals({c} & new {Of(operand.Type)}({e.Text}), {Of(operand.Type)}.Zero)");
                }

                case VectorOp.LogicalAnd:
                case VectorOp.LogicalOr:
                case VectorOp.LogicalXor:
                    return Combine(e.Op switch { VectorOp.LogicalAnd => "&", VectorOp.LogicalOr => "|", _ => "^" }, Expression(e.Operands[0], parameter), Expression(e.Operands[1], parameter));
            }

            var left = Expression(e.Operands[0], parameter);
            var right = Expression(e.Operands[1], parameter);
            return e.Op switch
            {
                VectorOp.Add => Zip(left, right, left.Type, (a, b) => $"({a} + {b})"),
                VectorOp.Subtract => Zip(left, right, left.Type, (a, b) => $"({a} - {b})"),
                VectorOp.Multiply => Zip(left, right, left.Type, (a, b) => $"({a} * {b})"),
                VectorOp.Divide => Zip(left, right, left.Type, (a, b) => $"({a} / {b})"),
                VectorOp.And => Zip(left, right, left.Type, (a, b) => $"({a} & {b})"),
                VectorOp.Or => Zip(left, right, left.Type, (a, b) => $"({a} | {b})"),
                VectorOp.Xor => Zip(left, right, left.Type, (a, b) => $"({a} ^ {b})"),
                VectorOp.Equal => Zip(left, right, MaskType(left.Type), (a, b) => $"{Vector}.Equals({a}, {b})"),
                VectorOp.NotEqual => Zip(left, right, MaskType(left.Type), (a, b) => $"~{Vector}.Equals({a}, {b})"),
                VectorOp.LessThan => Zip(left, right, MaskType(left.Type), (a, b) => $"{Vector}.LessThan({a}, {b})"),
                VectorOp.LessThanOrEqual => Zip(left, right, MaskType(left.Type), (a, b) => $"{Vector}.LessThanOrEqual({a}, {b})"),
                VectorOp.GreaterThan => Zip(left, right, MaskType(left.Type), (a, b) => $"{Vector}.GreaterThan({a}, {b})"),
                _ => Zip(left, right, MaskType(left.Type), (a, b) => $"{Vector}.GreaterThanOrEqual({a}, {b})"),
            };
        }

        private static Value Map(Value value, string type, System.Func<string, string> chunk) => new(type, value.Chunks.Select(chunk).ToArray());

        private static Value Zip(Value left, Value right, string type, System.Func<string, string, string> chunk) =>
            new(type, left.Chunks.Zip(right.Chunks, chunk).ToArray());

        /// <summary>Two masks combined lane by lane, the narrower one widened first.</summary>
        private Value Combine(string op, Value left, Value right)
        {
            var type = VectorPlanner.Size(left.Type) >= VectorPlanner.Size(right.Type) ? left.Type : right.Type;
            return Zip(ConvertMask(left, type), ConvertMask(right, type), type, (a, b) => $"({a} {op} {b})");
        }

        private Value ConvertMask(Value mask, string type) =>
            mask.Type == type ? mask : type == "long" ? Widen(mask, "long", "keep") : Narrow(mask, "int");

        private Value Convert(Value value, string type)
        {
            switch ((value.Type, type))
            {
                case ("int", "float"):
                    return Map(value, type, c => $"{Vector}.ConvertToSingle({c})");
                case ("int", "long"):
                case ("float", "double"):
                    return Widen(value, type, "wide");
                case ("int", "double"):
                    return Map(Widen(value, "long", "wide"), type, c => $"{Vector}.ConvertToDouble({c})");
                default:
                    // long → int, double → float: narrowing truncates (int) or rounds to nearest (float) like the cast.
                    return Narrow(value, type);
            }
        }

        /// <summary>Each chunk split into its low and high halves, each half widened (sign-extended) to <paramref name="type"/>.</summary>
        private Value Widen(Value value, string type, string name)
        {
            var chunks = new List<string>();
            foreach (var chunk in value.Chunks)
            {
                var low = names.Fresh(name + "Low");
                var high = names.Fresh(name + "High");
                _body.Add(S($"{Vector}.Widen({chunk}, out {Of(type)} {low}, out {Of(type)} {high});"));
                chunks.Add(low);
                chunks.Add(high);
            }

            return new Value(type, chunks.ToArray());
        }

        /// <summary>Pairs of chunks narrowed into one vector of <paramref name="type"/>, low records first.</summary>
        private static Value Narrow(Value value, string type)
        {
            var chunks = new List<string>();
            for (var j = 0; j + 1 < value.Chunks.Length; j += 2)
            {
                chunks.Add($"{Vector}.Narrow({value.Chunks[j]}, {value.Chunks[j + 1]})");
            }

            return new Value(type, chunks.ToArray());
        }
    }
}
