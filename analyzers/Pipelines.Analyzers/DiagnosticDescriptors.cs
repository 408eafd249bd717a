using Microsoft.CodeAnalysis;

namespace Pipelines.Analyzers;

/// <summary>
/// The catalog of Pipelines diagnostics (PIPE001…). IDs are stable and never reused; each has a page under
/// <c>docs/diagnostics/</c> that its help link points to. The generator's own diagnostics (PIPE1xx) live in
/// the generator project.
/// </summary>
internal static class DiagnosticDescriptors
{
    /// <summary>Where the pages are: set once as PipelinesHelpLinkBase in Directory.Build.props.</summary>
    internal const string HelpLinkBase = BuildInfo.HelpLinkBase;

    /// <summary>Categories, one per concern.</summary>
    internal static class Categories
    {
        internal const string Definition = "Pipelines.Definition";
        internal const string Windowing = "Pipelines.Windowing";
        internal const string Lifecycle = "Pipelines.Lifecycle";
        internal const string Usage = "Pipelines.Usage";
        internal const string Determinism = "Pipelines.Determinism";
        internal const string Performance = "Pipelines.Performance";
        internal const string Correctness = "Pipelines.Correctness";
        internal const string Reliability = "Pipelines.Reliability";
    }

    // ----- Pipeline definitions -----

    public static readonly DiagnosticDescriptor PipelineClassNotPartial = Create(
        "PIPE001",
        "Pipeline class must be partial",
        "'{0}' must be declared partial so the generator can add the compiled Compile… methods{1}; add the 'partial' modifier",
        Categories.Definition,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor LambdaCapturesVariable = Create(
        "PIPE002",
        "Lambda in a pipeline definition captures a variable",
        "The lambda captures '{0}', so '{1}' cannot be fused and runs interpreted; use a constant, a static member or the lambda's own parameters instead",
        Categories.Definition,
        DiagnosticSeverity.Warning);

    // ----- Windows -----

    public static readonly DiagnosticDescriptor WindowDurationNotMultiple = Create(
        "PIPE003",
        "Window duration is not a multiple of the parent's slide",
        "The {0} of '{1}' ({2}) must be a multiple of {3} ({4}); the stream would fail when it is defined — choose a multiple",
        Categories.Windowing,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InverseWindowWithoutFilter = Create(
        "PIPE009",
        "ReduceByKeyAndWindow with an inverse function and no filter",
        "'ReduceByKeyAndWindow' with an inverse function keeps every key it has seen, even when its value returns to neutral (e.g. a count of 0); pass a filter that drops such keys",
        Categories.Windowing,
        DiagnosticSeverity.Info);

    // ----- Context lifecycle -----

    public static readonly DiagnosticDescriptor StartWithoutOutput = Create(
        "PIPE004",
        "Start() with no output operation",
        "'{0}' is started but no output operation (Print, ForEachBatch, SaveAsTextFiles) is registered in this method, so Start will fail; register an output before calling Start",
        Categories.Lifecycle,
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor OperationAfterStart = Create(
        "PIPE010",
        "Operation added after Start()",
        "'{0}' adds an operation to a stream of '{1}' after '{1}.Start()', which throws; define every stream and output before calling Start",
        Categories.Lifecycle,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor StatefulWithoutCheckpoint = Create(
        "PIPE011",
        "Stateful operator without a checkpoint directory",
        "'{0}' keeps state between batches but no checkpoint directory is set for the context in this method, so the state is lost on restart; call Checkpoint(directory) or set StreamingOptions.CheckpointDirectory",
        Categories.Reliability,
        DiagnosticSeverity.Info);

    // ----- Using streams -----

    public static readonly DiagnosticDescriptor DiscardedTransformation = Create(
        "PIPE005",
        "Result of a transformation is discarded",
        "'{0}' returns a new stream and leaves its receiver unchanged (DStreams are immutable), so this call does nothing; use the returned stream",
        Categories.Usage,
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor NonDeterministicCall = Create(
        "PIPE006",
        "Non-deterministic call in a transformation",
        "'{0}' is non-deterministic: a batch replayed after recovery will compute a different result; use the batch time (the BatchTime given by Transform or ForEachBatch) or pass the value in with the records",
        Categories.Determinism,
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor BlockingCall = Create(
        "PIPE007",
        "Blocking call in a transformation",
        "'{0}' blocks the thread that computes the batch, delaying every batch after it; compute the value before the stream or use an async ForEachBatch output",
        Categories.Performance,
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor KeyWithoutValueEquality = Create(
        "PIPE008",
        "Key type without value equality",
        "'{0}' groups by key type '{1}', which {2}, so equal keys compare by reference and never meet; use a record, a struct, a tuple or a type that overrides Equals and GetHashCode",
        Categories.Correctness,
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor SharedStateWrite = Create(
        "PIPE012",
        "Shared mutable state written in a transformation",
        "'{0}' is shared by every call of this function, and with a parallelism above 1 the partitions of a batch call it on several threads at once, so this write is a data race; return values and combine them with ReduceByKey or Reduce, or use Interlocked, a lock or a concurrent collection",
        Categories.Correctness,
        DiagnosticSeverity.Warning);

    private static DiagnosticDescriptor Create(string id, string title, string message, string category, DiagnosticSeverity severity) =>
        new(id, title, message, category, severity, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + id + ".md");
}
