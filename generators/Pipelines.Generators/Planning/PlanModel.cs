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

/// <summary>One definition: its fingerprint constant and its <c>Compile…</c> method (compiled steps or fallback).</summary>
/// <param name="Chain">The operators of the definition in order (<c>FlatMap → Map → ReduceByKey</c>), for docs.</param>
/// <param name="Steps">
/// The body of <c>Compile…</c>, in order: fused stages and the runtime operators between them; empty when the
/// definition runs interpreted. The last step is returned.
/// </param>
/// <param name="Stages">The fused stages the steps create, in order.</param>
/// <param name="FallbackReason">Why the definition runs interpreted, when <paramref name="Steps"/> is empty.</param>
internal sealed record DefinitionPlan(
    string DefineName,
    string CompileName,
    string FingerprintName,
    string Fingerprint,
    string ReturnType,
    EquatableArray<ParameterModel> Parameters,
    string Chain,
    EquatableArray<StepPlan> Steps,
    EquatableArray<StagePlan> Stages,
    string? FallbackReason);

/// <summary>One statement of a <c>Compile…</c> body: a stream, kept in a local (or returned, for the last step).</summary>
/// <param name="Variable">The local that holds the stream.</param>
/// <param name="Expression">The stream: <c>CompiledStream.Create(…)</c> of a fused stage, or a runtime operator call.</param>
/// <param name="Comment">What the step is, for the comment above it.</param>
/// <param name="RuntimeOperator">The runtime operator the step calls, or null for a fused stage.</param>
internal sealed record StepPlan(string Variable, string Expression, string Comment, string? RuntimeOperator);

/// <summary>A generated stage class: its fields (reused across batches) and its <c>Process</c> body as loops.</summary>
/// <param name="OutputType">The element type the stage produces.</param>
/// <param name="InputTypes">The element type of each input stream.</param>
/// <param name="InputNames">The <c>Process</c> parameter of each input batch (named after the streams).</param>
/// <param name="EventTime">For a fused event-time window: what its stage class implements besides the loop (else null).</param>
/// <param name="Parallel">How the stage runs the partitions of a batch at the same time, or null for whole batches only.</param>
/// <param name="WindowSlice">Set when the stage fills a window's per-batch slice instead of an output batch.</param>
internal sealed record StagePlan(
    string OutputType,
    string ClassName,
    string StreamName,
    EquatableArray<string> InputTypes,
    EquatableArray<string> InputNames,
    string OutputName,
    EquatableArray<FieldPlan> Fields,
    EquatableArray<LoopPlan> Loops,
    EquatableArray<LocalFunctionPlan> Functions,
    ParallelPlan? Parallel = null,
    WindowSlicePlan? WindowSlice = null,
    EventTimeStagePlan? EventTime = null);

/// <summary>
/// A stage fused into a keyed window: it implements <c>IWindowSliceStage</c> and writes each batch's per-key values
/// into the window's slice (the <c>Process</c> parameter named by the stage's output name) instead of a batch.
/// </summary>
/// <param name="KeyType">The window's key type (<c>byte</c> for the unkeyed windows).</param>
/// <param name="ValueType">The window's value type.</param>
internal sealed record WindowSlicePlan(string KeyType, string ValueType);

/// <summary>
/// How a compiled stage runs its partitions at the same time. Without a map side, the stage itself is
/// partition-wise (only narrow operators) and runs once per partition. With one, the stage ends with a keyed
/// shuffle followed only by narrow operators: <paramref name="MapSide"/> runs per input partition up to the
/// shuffle's partial results, <paramref name="ReduceSide"/> merges them per hash partition and runs the rest.
/// </summary>
internal sealed record ParallelPlan(StagePlan? MapSide, StagePlan? ReduceSide, string? KeyType, string? ValueType);

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

/// <summary>
/// A fused event-time window's stage: it implements <c>IEventWindowStage&lt;TIn, Record, Key, Aggregate&gt;</c> (a session window's:
/// <c>ISessionWindowStage&lt;TIn, Key, Value&gt;</c>, its loop writing into <c>SessionWindowBatch</c>, <c>Reduce</c> its reducer), its
/// loop writes into the runtime's <c>EventWindowBatch</c>, and <c>Merge</c> combines a batch's aggregate with an open one.
/// </summary>
/// <param name="Operator">The window operator (<c>ReduceByKeyAndEventWindow</c>…).</param>
/// <param name="MergeFunctions">The reducer as a local function of <c>Merge</c>, when it is a block lambda.</param>
internal sealed record EventTimeStagePlan(
    string Operator,
    string RecordType,
    string KeyType,
    string AggregateType,
    string MergeOpen,
    string MergeBatch,
    EquatableArray<CodeNode> MergeBody,
    EquatableArray<LocalFunctionPlan> MergeFunctions);
