using Pipelines.Generators.Model;

namespace Pipelines.Generators.Planning;

/// <summary>
/// A chain that runs on SIMD lanes (see <see cref="VectorPlanner"/>): read the source, apply the steps to whole
/// vectors, and fold the surviving lanes into the terminal's result.
/// </summary>
/// <param name="SourceParameter">The stage input the chain reads.</param>
/// <param name="SourceType">The source's element type.</param>
/// <param name="LaneType">The narrowest type on the way: one step of the loop covers <c>Vector&lt;LaneType&gt;.Count</c> records.</param>
/// <param name="Steps">The Maps and Filters, source side first.</param>
/// <param name="Terminal">What the surviving values become.</param>
/// <param name="ResultType">The terminal's element type (the sum's type; <c>long</c> for a count).</param>
/// <param name="SwappedSum">Whether the reducer is written <c>(a, b) =&gt; b + a</c> (floating-point sums keep its operand order).</param>
internal sealed record VectorPlan(
    int SourceParameter,
    string SourceType,
    string LaneType,
    EquatableArray<VectorStep> Steps,
    VectorTerminal Terminal,
    string ResultType,
    bool SwappedSum);

/// <summary>The terminal of a vector chain.</summary>
internal enum VectorTerminal
{
    /// <summary><c>Reduce((a, b) =&gt; a + b)</c>.</summary>
    Sum,

    /// <summary><c>Count()</c>.</summary>
    Count,
}

/// <summary>A Map or a Filter.</summary>
internal enum VectorStepKind
{
    Map,
    Filter,
}

/// <summary>One Map or Filter: its lambda's parameter (name and type) and its body as a typed expression tree.</summary>
/// <param name="Source">The lambda as written (<c>x =&gt; x * 3</c>), for the comment above its vector form.</param>
internal sealed record VectorStep(VectorStepKind Kind, string ParameterName, string InputType, VectorExpression Body, string Source = "");

/// <summary>
/// A typed expression over the step's parameter. <see cref="Type"/> is <c>int</c>, <c>long</c>, <c>float</c>,
/// <c>double</c> or <c>bool</c> (a lane mask). <see cref="Text"/> is a constant's C# text, a shift's count or the
/// low-bits mask of <see cref="VectorOp.LowBitsZero"/>.
/// </summary>
internal sealed record VectorExpression(VectorOp Op, string Type, string Text, EquatableArray<VectorExpression> Operands);

/// <summary>The operations a vector step may use.</summary>
internal enum VectorOp
{
    Parameter,
    Constant,
    Convert,
    Negate,
    OnesComplement,
    Add,
    Subtract,
    Multiply,
    Divide,
    And,
    Or,
    Xor,
    ShiftLeft,
    ShiftRightArithmetic,
    ShiftRightLogical,
    Equal,
    NotEqual,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
    LowBitsZero,
    LogicalNot,
    LogicalAnd,
    LogicalOr,
    LogicalXor,
}
