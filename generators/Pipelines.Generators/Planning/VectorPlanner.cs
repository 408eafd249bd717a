using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Pipelines.Compilation;
using Pipelines.Generators.Model;

namespace Pipelines.Generators.Planning;

/// <summary>
/// Recognizes the chains the emitter can run on SIMD lanes: a source of <c>int</c>, <c>long</c>, <c>float</c> or
/// <c>double</c>, then expression-bodied <c>Map</c>s and <c>Filter</c>s of plain arithmetic, comparisons and
/// casts, ending in <c>Reduce((a, b) =&gt; a + b)</c> or <c>Count()</c>. Pure: a <see cref="DefinitionModel"/>
/// in, a <see cref="VectorPlan"/> (or null) out.
/// </summary>
/// <remarks>
/// <para>What is accepted is exactly what gives the scalar loop's results lane by lane: integer <c>+ - * &amp; | ^ ~ &lt;&lt; &gt;&gt;</c>
/// (wrapping, so only outside a checked context), floating-point <c>+ - * /</c> (IEEE per lane, no contraction),
/// comparisons, <c>&amp;&amp; || !</c> (no side effects, so evaluating both sides is harmless), <c>x % 2^k == 0</c>
/// as a low-bits test, and the conversions whose vector form rounds like the scalar cast (int→long, int→float,
/// int→double, float→double, long→int, double→float). Integer division and remainder (they trap on zero, and
/// the vector path evaluates filtered-out lanes too), method calls, fields and anything else are refused, and the
/// chain keeps its scalar loop.</para>
/// <para>Sums: integer lanes wrap like the scalar sum and addition modulo 2ⁿ is associative, so the lane totals
/// give the exact scalar result. Floating-point sums are NOT reordered: the lanes are added to the accumulator
/// one by one in record order (filtered-out lanes hold -0.0, the exact identity of IEEE addition), so the result
/// is bit-for-bit the definition's.</para>
/// </remarks>
internal static class VectorPlanner
{
    private static readonly string[] Supported = ["int", "long", "float", "double"];

    /// <summary>The vector plan of the terminal node <paramref name="terminal"/> (a Reduce or Count), or null.</summary>
    public static VectorPlan? Plan(DefinitionModel definition, int terminal)
    {
        if (definition.OverflowChecked || terminal < 0 || terminal >= definition.Nodes.Count)
        {
            return null;
        }

        var node = definition.Nodes[terminal];
        VectorTerminal kind;
        var swapped = false;
        switch (node.Operator)
        {
            case PipelineOperator.Count when !node.IsSource:
                kind = VectorTerminal.Count;
                break;
            case PipelineOperator.Reduce when !node.IsSource && IsSum(node.Functions[0], node.ElementType, out swapped):
                kind = VectorTerminal.Sum;
                break;
            default:
                return null;
        }

        // The chain from the source to the terminal, source side first.
        var steps = new List<VectorStep>();
        var index = node.Input;
        while (index >= 0 && !definition.Nodes[index].IsSource)
        {
            var step = definition.Nodes[index];
            if (step.Other >= 0 || step.Functions.Count != 1 || step.Operator is not (PipelineOperator.Map or PipelineOperator.Filter))
            {
                return null;
            }

            var input = definition.Nodes[step.Input];
            var read = ReadStep(step, input.ElementType);
            if (read is null)
            {
                return null;
            }

            steps.Insert(0, read);
            index = step.Input;
        }

        if (index < 0)
        {
            return null;
        }

        var source = definition.Nodes[index];
        if (!IsNumeric(source.ElementType) || (kind == VectorTerminal.Sum && !IsNumeric(node.ElementType)))
        {
            return null;
        }

        // The lanes are as narrow as the narrowest type on the way: a step covers Vector<lane>.Count records,
        // and wider values take two vectors.
        var types = new List<string> { source.ElementType };
        foreach (var step in steps)
        {
            Collect(step.Body, types);
        }

        if (kind == VectorTerminal.Sum)
        {
            types.Add(node.ElementType);
        }

        var lane = types.Where(IsNumeric).OrderBy(Size).ThenBy(t => t, System.StringComparer.Ordinal).First();
        return new VectorPlan(source.ParameterIndex, source.ElementType, lane, steps.ToEquatableArray(), kind, node.ElementType, swapped);
    }

    /// <summary>A Map or Filter as a vector step, or null when its lambda is not plain arithmetic on its parameter.</summary>
    internal static VectorStep? ReadStep(NodeModel step, string inputType)
    {
        var lambda = step.Functions[0];
        if (lambda.IsBlock || lambda.Parameters.Count != 1 || lambda.Parameters[0].Type != inputType || lambda.Locals.Count > 0 || !IsNumeric(inputType))
        {
            return null;
        }

        var source = lambda.Parameters[0].Name + " => " + lambda.Body.Replace(LambdaModel.ParameterMarker(0), lambda.Parameters[0].Name);
        var body = Read(lambda.Body, inputType);
        if (body is null || (lambda.BodyType is { } declared && declared != body.Type))
        {
            // The inferred type must agree with the compiler's: anything else is a rule this reader does not know.
            return null;
        }

        if (step.Operator == PipelineOperator.Filter)
        {
            return body.Type == "bool" && lambda.ReturnType == "bool"
                ? new VectorStep(VectorStepKind.Filter, lambda.Parameters[0].Name, inputType, body, source)
                : null;
        }

        if (lambda.ReturnType != step.ElementType || !IsNumeric(step.ElementType))
        {
            return null;
        }

        var converted = ConvertTo(body, step.ElementType, explicitCast: false);
        return converted is null ? null : new VectorStep(VectorStepKind.Map, lambda.Parameters[0].Name, inputType, converted, source);
    }

    /// <summary>The expression template of a lambda as a <see cref="VectorExpression"/>, or null.</summary>
    internal static VectorExpression? Read(string template, string parameterType)
    {
        var syntax = SyntaxFactory.ParseExpression(template);
        return syntax.ContainsDiagnostics ? null : Read(syntax, parameterType);
    }

    private static VectorExpression? Read(ExpressionSyntax syntax, string parameterType)
    {
        switch (syntax)
        {
            case ParenthesizedExpressionSyntax parenthesized:
                return Read(parenthesized.Expression, parameterType);

            case IdentifierNameSyntax identifier when identifier.Identifier.ValueText == LambdaModel.ParameterMarker(0):
                return new VectorExpression(VectorOp.Parameter, parameterType, string.Empty, EquatableArray<VectorExpression>.Empty);

            case LiteralExpressionSyntax { RawKind: (int)SyntaxKind.NumericLiteralExpression } literal:
            {
                var type = literal.Token.Value switch
                {
                    int => "int",
                    long => "long",
                    float => "float",
                    double => "double",
                    _ => null,
                };
                return type is null ? null : Constant(type, literal.ToString());
            }

            case MemberAccessExpressionSyntax { Expression: PredefinedTypeSyntax predefined, Name: IdentifierNameSyntax name }
                when IsNumeric(predefined.Keyword.ValueText) && name.Identifier.ValueText is "MaxValue" or "MinValue" or "NaN" or "PositiveInfinity" or "NegativeInfinity" or "Epsilon":
                return Constant(predefined.Keyword.ValueText, syntax.ToString());

            case CastExpressionSyntax { Type: PredefinedTypeSyntax target } cast when IsNumeric(target.Keyword.ValueText):
            {
                var operand = Read(cast.Expression, parameterType);
                return operand is null ? null : ConvertTo(operand, target.Keyword.ValueText, explicitCast: true);
            }

            case PrefixUnaryExpressionSyntax unary:
            {
                var operand = Read(unary.Operand, parameterType);
                if (operand is null)
                {
                    return null;
                }

                return unary.Kind() switch
                {
                    SyntaxKind.UnaryPlusExpression when IsNumeric(operand.Type) => operand,
                    SyntaxKind.UnaryMinusExpression when IsNumeric(operand.Type) => Node(VectorOp.Negate, operand.Type, operand),
                    SyntaxKind.BitwiseNotExpression when IsInteger(operand.Type) => Node(VectorOp.OnesComplement, operand.Type, operand),
                    SyntaxKind.LogicalNotExpression when operand.Type == "bool" => Node(VectorOp.LogicalNot, "bool", operand),
                    _ => null,
                };
            }

            case BinaryExpressionSyntax binary:
                return ReadBinary(binary, parameterType);

            default:
                return null;
        }
    }

    private static VectorExpression? ReadBinary(BinaryExpressionSyntax binary, string parameterType)
    {
        var kind = binary.Kind();

        // x % 2^k == 0 and x % 2^k != 0: the low k bits of x are (not) all zero, for negative x too.
        if (kind is SyntaxKind.EqualsExpression or SyntaxKind.NotEqualsExpression
            && Unwrap(binary.Left) is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.ModuloExpression } modulo
            && Unwrap(binary.Right) is LiteralExpressionSyntax { Token.Value: int and 0 }
            && Unwrap(modulo.Right) is LiteralExpressionSyntax { Token.Value: int divisor }
            && divisor >= 2 && (divisor & (divisor - 1)) == 0)
        {
            var value = Read(modulo.Left, parameterType);
            if (value is null || !IsInteger(value.Type))
            {
                return null;
            }

            var lowBits = new VectorExpression(VectorOp.LowBitsZero, "bool", (divisor - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), new[] { value }.ToEquatableArray());
            return kind == SyntaxKind.EqualsExpression ? lowBits : Node(VectorOp.LogicalNot, "bool", lowBits);
        }

        var left = Read(binary.Left, parameterType);
        var right = Read(binary.Right, parameterType);
        if (left is null || right is null)
        {
            return null;
        }

        switch (kind)
        {
            case SyntaxKind.LogicalAndExpression or SyntaxKind.LogicalOrExpression:
                return left.Type == "bool" && right.Type == "bool"
                    ? Node(kind == SyntaxKind.LogicalAndExpression ? VectorOp.LogicalAnd : VectorOp.LogicalOr, "bool", left, right)
                    : null;

            case SyntaxKind.BitwiseAndExpression or SyntaxKind.BitwiseOrExpression or SyntaxKind.ExclusiveOrExpression when left.Type == "bool" || right.Type == "bool":
                return left.Type == "bool" && right.Type == "bool"
                    ? Node(kind switch { SyntaxKind.BitwiseAndExpression => VectorOp.LogicalAnd, SyntaxKind.BitwiseOrExpression => VectorOp.LogicalOr, _ => VectorOp.LogicalXor }, "bool", left, right)
                    : null;

            case SyntaxKind.LeftShiftExpression or SyntaxKind.RightShiftExpression or SyntaxKind.UnsignedRightShiftExpression:
            {
                // Only a constant count: C# masks it to the left operand's width, and so does this reader.
                if (!IsInteger(left.Type) || Unwrap(binary.Right) is not LiteralExpressionSyntax { Token.Value: int count })
                {
                    return null;
                }

                var masked = count & (left.Type == "int" ? 31 : 63);
                var op = kind switch
                {
                    SyntaxKind.LeftShiftExpression => VectorOp.ShiftLeft,
                    SyntaxKind.RightShiftExpression => VectorOp.ShiftRightArithmetic,
                    _ => VectorOp.ShiftRightLogical,
                };
                return new VectorExpression(op, left.Type, masked.ToString(System.Globalization.CultureInfo.InvariantCulture), new[] { left }.ToEquatableArray());
            }
        }

        if (!IsNumeric(left.Type) || !IsNumeric(right.Type))
        {
            return null;
        }

        // Binary numeric promotion: the operands meet at the wider of their types.
        var type = Rank(left.Type) >= Rank(right.Type) ? left.Type : right.Type;
        left = ConvertTo(left, type, explicitCast: false);
        right = ConvertTo(right, type, explicitCast: false);
        if (left is null || right is null)
        {
            return null;
        }

        return kind switch
        {
            SyntaxKind.AddExpression => Node(VectorOp.Add, type, left, right),
            SyntaxKind.SubtractExpression => Node(VectorOp.Subtract, type, left, right),
            SyntaxKind.MultiplyExpression => Node(VectorOp.Multiply, type, left, right),
            SyntaxKind.DivideExpression when !IsInteger(type) => Node(VectorOp.Divide, type, left, right),
            SyntaxKind.BitwiseAndExpression when IsInteger(type) => Node(VectorOp.And, type, left, right),
            SyntaxKind.BitwiseOrExpression when IsInteger(type) => Node(VectorOp.Or, type, left, right),
            SyntaxKind.ExclusiveOrExpression when IsInteger(type) => Node(VectorOp.Xor, type, left, right),
            SyntaxKind.EqualsExpression => Node(VectorOp.Equal, "bool", left, right),
            SyntaxKind.NotEqualsExpression => Node(VectorOp.NotEqual, "bool", left, right),
            SyntaxKind.LessThanExpression => Node(VectorOp.LessThan, "bool", left, right),
            SyntaxKind.LessThanOrEqualExpression => Node(VectorOp.LessThanOrEqual, "bool", left, right),
            SyntaxKind.GreaterThanExpression => Node(VectorOp.GreaterThan, "bool", left, right),
            SyntaxKind.GreaterThanOrEqualExpression => Node(VectorOp.GreaterThanOrEqual, "bool", left, right),
            _ => null,
        };
    }

    /// <summary>
    /// <paramref name="value"/> converted to <paramref name="type"/>: constants by a cast the compiler folds, values
    /// only where the vector conversion rounds like the scalar one; null otherwise.
    /// </summary>
    private static VectorExpression? ConvertTo(VectorExpression value, string type, bool explicitCast)
    {
        if (value.Type == type)
        {
            return value;
        }

        if (value.Op == VectorOp.Constant && IsNumeric(value.Type))
        {
            // An implicit conversion only widens; an explicit one of a constant is folded by the compiler (unchecked).
            return explicitCast || Rank(type) > Rank(value.Type) ? Constant(type, "(" + type + ")(" + value.Text + ")") : null;
        }

        var supported = (value.Type, type) switch
        {
            ("int", "long") or ("int", "float") or ("int", "double") or ("float", "double") => true,
            ("long", "int") or ("double", "float") => explicitCast,
            _ => false,
        };
        return supported ? Node(VectorOp.Convert, type, value) : null;
    }

    /// <summary>Whether <paramref name="reducer"/> is <c>(a, b) =&gt; a + b</c> (or <c>b + a</c>) over <paramref name="type"/>.</summary>
    private static bool IsSum(LambdaModel reducer, string type, out bool swapped)
    {
        swapped = false;
        if (reducer.IsBlock || reducer.Parameters.Count != 2 || reducer.Parameters.Any(p => p.Type != type) || reducer.ReturnType != type || !IsNumeric(type))
        {
            return false;
        }

        var body = SyntaxFactory.ParseExpression(reducer.Body);
        while (body is ParenthesizedExpressionSyntax parenthesized)
        {
            body = parenthesized.Expression;
        }

        if (body is not BinaryExpressionSyntax { RawKind: (int)SyntaxKind.AddExpression, Left: IdentifierNameSyntax left, Right: IdentifierNameSyntax right })
        {
            return false;
        }

        var a = LambdaModel.ParameterMarker(0);
        var b = LambdaModel.ParameterMarker(1);
        swapped = left.Identifier.ValueText == b && right.Identifier.ValueText == a;
        return swapped || (left.Identifier.ValueText == a && right.Identifier.ValueText == b);
    }

    private static ExpressionSyntax Unwrap(ExpressionSyntax syntax) =>
        syntax is ParenthesizedExpressionSyntax parenthesized ? Unwrap(parenthesized.Expression) : syntax;

    private static void Collect(VectorExpression expression, List<string> types)
    {
        types.Add(expression.Type);
        foreach (var operand in expression.Operands)
        {
            Collect(operand, types);
        }
    }

    private static VectorExpression Constant(string type, string text) => new(VectorOp.Constant, type, text, EquatableArray<VectorExpression>.Empty);

    private static VectorExpression Node(VectorOp op, string type, params VectorExpression[] operands) => new(op, type, string.Empty, operands.ToEquatableArray());

    internal static bool IsNumeric(string type) => System.Array.IndexOf(Supported, type) >= 0;

    internal static bool IsInteger(string type) => type is "int" or "long";

    internal static bool IsFloatingPoint(string type) => type is "float" or "double";

    /// <summary>The size of a lane of <paramref name="type"/> in bytes.</summary>
    internal static int Size(string type) => type is "long" or "double" ? 8 : 4;

    private static int Rank(string type) => System.Array.IndexOf(Supported, type);
}
