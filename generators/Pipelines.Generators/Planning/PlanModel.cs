using Pipelines.Generators.Model;

namespace Pipelines.Generators.Planning;

/// <summary>What the emitter writes for one pipeline class.</summary>
/// <param name="HintName">The generated file's name (<c>WordCount.Pipeline.g.cs</c>).</param>
internal sealed record ClassPlan(
    string HintName,
    string? Namespace,
    EquatableArray<string> ContainingTypes,
    string ClassName,
    EquatableArray<string> Usings,
    EquatableArray<string> NamespaceUsings,
    EquatableArray<DefinitionPlan> Definitions,
    EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>One definition: its fingerprint constant and its <c>Compile…</c> method (fused stage or fallback).</summary>
/// <param name="Chain">The operators of the definition in order (<c>FlatMap → Map → ReduceByKey</c>), for docs.</param>
/// <param name="Stage">The fused stage, or null when the definition runs interpreted.</param>
/// <param name="FallbackReason">Why the definition runs interpreted, when <paramref name="Stage"/> is null.</param>
/// <param name="Boundary">
/// For a definition ending with a windowed or stateful operator: the call applied to the fused stage's stream
/// (or to the parameter, when nothing before it fuses), e.g. <c>ReduceByKeyAndWindow((a, b) =&gt; a + b, …)</c>.
/// </param>
internal sealed record DefinitionPlan(
    string DefineName,
    string CompileName,
    string FingerprintName,
    string Fingerprint,
    string ReturnType,
    EquatableArray<ParameterModel> Parameters,
    string Chain,
    StagePlan? Stage,
    string? FallbackReason,
    string? Boundary = null,
    ParallelPlan? Parallel = null);

/// <summary>
/// How a compiled stage runs its partitions at the same time. Without a map side, the stage itself is
/// partition-wise (only narrow operators) and runs once per partition. With one, the chain ends with a keyed
/// shuffle followed only by narrow operators: <paramref name="MapSide"/> runs per input partition up to the
/// shuffle's partial results, <paramref name="ReduceSide"/> merges them per hash partition and runs the rest.
/// </summary>
internal sealed record ParallelPlan(StagePlan? MapSide, StagePlan? ReduceSide, string? KeyType, string? ValueType);

/// <summary>A generated stage class: its fields (reused across batches) and its <c>Process</c> body as loops.</summary>
/// <param name="InputNames">The <c>Process</c> parameter of each input batch (named after the definition's parameters).</param>
/// <param name="OutputType">The element type the stage produces (the definition's, or the input of its windowed operator).</param>
internal sealed record StagePlan(
    string OutputType,
    string ClassName,
    string StreamName,
    EquatableArray<string> InputNames,
    string OutputName,
    EquatableArray<FieldPlan> Fields,
    EquatableArray<LoopPlan> Loops,
    EquatableArray<LocalFunctionPlan> Functions);

/// <summary>A field of a stage, created once with <c>new()</c> and reused by every batch.</summary>
internal sealed record FieldPlan(string Type, string Name);

/// <summary>A block lambda, emitted as a static local function marked for aggressive inlining.</summary>
internal sealed record LocalFunctionPlan(string Name, string ReturnType, EquatableArray<LambdaParameterModel> Parameters, string Body);

/// <summary>One fused loop: the statements before it, the loop itself and the operators it fuses.</summary>
/// <param name="Operators">The operators fused into the loop, in order, for the comment above it.</param>
internal sealed record LoopPlan(EquatableArray<string> Operators, EquatableArray<CodeNode> Prologue, EquatableArray<CodeNode> Body);

/// <summary>A statement (<see cref="Children"/> empty and <see cref="IsBlock"/> false) or a block with a header line.</summary>
internal sealed record CodeNode(string Text, bool IsBlock, EquatableArray<CodeNode> Children)
{
    public static CodeNode Statement(string text) => new(text, false, EquatableArray<CodeNode>.Empty);
}
