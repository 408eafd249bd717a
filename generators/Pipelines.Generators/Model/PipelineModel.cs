using Pipelines.Compilation;

namespace Pipelines.Generators.Model;

/// <summary>A <c>[StreamingPipeline]</c> class as the parser read it: strings, enums and equatable arrays only.</summary>
/// <param name="Namespace">The class's namespace, or null for the global namespace.</param>
/// <param name="ContainingTypes">Declarations of the enclosing types, outermost first (e.g. <c>partial class Outer</c>).</param>
/// <param name="Name">The class name.</param>
/// <param name="Usings">The file's using directives (outside any namespace), so inlined lambdas bind as in the user's file.</param>
/// <param name="NamespaceUsings">The using directives declared inside the class's namespace.</param>
/// <param name="Definitions">The <c>Define…</c> methods.</param>
/// <param name="Diagnostics">Problems found while reading the class.</param>
internal sealed record ClassModel(
    string? Namespace,
    EquatableArray<string> ContainingTypes,
    string Name,
    EquatableArray<string> Usings,
    EquatableArray<string> NamespaceUsings,
    EquatableArray<DefinitionModel> Definitions,
    EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>One <c>Define…</c> method: its signature and, when it can be compiled, its operator graph.</summary>
/// <param name="Name">The method name (<c>Define</c>, <c>DefineTotals</c>).</param>
/// <param name="ReturnType">The fully qualified return type (<c>global::Pipelines.DStream&lt;…&gt;</c>).</param>
/// <param name="OutputType">The element type of the returned stream.</param>
/// <param name="Parameters">The stream parameters.</param>
/// <param name="Nodes">The operator graph; node 0.. in creation order, inputs before their consumers.</param>
/// <param name="Root">The node the definition returns.</param>
/// <param name="Fingerprint">FNV-1a 64 of the method's tokens (whitespace and comments ignored), 16 hex digits.</param>
/// <param name="FallbackReason">Why the definition runs interpreted, or null when it is compiled.</param>
/// <param name="OverflowChecked">
/// Whether the lambdas may run in a checked context (the project checks overflow, or the method uses
/// <c>checked</c>): integer arithmetic then throws on overflow, so it is never moved onto wrapping SIMD lanes.
/// </param>
internal sealed record DefinitionModel(
    string Name,
    string ReturnType,
    string OutputType,
    EquatableArray<ParameterModel> Parameters,
    EquatableArray<NodeModel> Nodes,
    int Root,
    string Fingerprint,
    string? FallbackReason,
    bool OverflowChecked = false);

/// <summary>A stream parameter of a definition.</summary>
internal sealed record ParameterModel(string Name, string Type, string ElementType);

/// <summary>A node of a definition's graph: a parameter (source) or an operator applied to earlier nodes.</summary>
/// <param name="IsSource">Whether the node is a definition parameter.</param>
/// <param name="Operator">The operator (ignored for sources).</param>
/// <param name="ParameterIndex">The parameter index of a source, else -1.</param>
/// <param name="Input">The receiver node, or -1 for a source.</param>
/// <param name="Other">The second stream of a join, Union or TransformWith, or -1.</param>
/// <param name="ElementType">The element type of the node's stream.</param>
/// <param name="KeyType">Item1's type when the element is a pair, else null.</param>
/// <param name="ValueType">Item2's type when the element is a pair, else null.</param>
/// <param name="Functions">The function arguments, in parameter order (for a boundary operator: its per-batch reducer, if any).</param>
/// <param name="Arguments">For an operator the runtime runs: its arguments after the stream argument, as written (constants inlined), comma-separated.</param>
internal sealed record NodeModel(
    bool IsSource,
    PipelineOperator Operator,
    int ParameterIndex,
    int Input,
    int Other,
    string ElementType,
    string? KeyType,
    string? ValueType,
    EquatableArray<LambdaModel> Functions,
    string? Arguments = null);

/// <summary>
/// A lambda argument. An expression body is a template in which each reference to parameter i reads
/// <see cref="LambdaModel.ParameterMarker"/>(i); a block body keeps its parameter names.
/// </summary>
/// <param name="Parameters">The lambda's parameters with their delegate types.</param>
/// <param name="ReturnType">The delegate's return type.</param>
/// <param name="IsBlock">Whether the body is a block.</param>
/// <param name="Body">The expression template, or the block's text.</param>
/// <param name="BodyType">The natural type of an expression body (null when it has none, e.g. a collection expression).</param>
/// <param name="KeyedValue">For a body <c>(p, e)</c> whose <c>e</c> does not use <c>p</c>: the template of <c>e</c>.</param>
/// <param name="Split">For a body <c>p.Split(separator[, options])</c> with constant arguments: the split.</param>
/// <param name="Identifiers">Every simple name the body uses, so generated names never shadow them.</param>
/// <param name="Locals">
/// The variables an expression body declares (<c>out var n</c>, <c>is int n</c>), by the user's names; in the
/// template, local i reads <see cref="LambdaModel.LocalMarker"/>(i), so each inlining gets fresh names (two fused
/// lambdas declaring <c>n</c> must not clash in one generated method).
/// </param>
internal sealed record LambdaModel(
    EquatableArray<LambdaParameterModel> Parameters,
    string ReturnType,
    bool IsBlock,
    string Body,
    string? BodyType,
    string? KeyedValue,
    SplitModel? Split,
    EquatableArray<string> Identifiers,
    EquatableArray<string> Locals = default)
{
    /// <summary>The prefix of every placeholder in a template.</summary>
    public const string MarkerPrefix = "__pipelines_";

    /// <summary>The placeholder for parameter <paramref name="index"/> in an expression template.</summary>
    public static string ParameterMarker(int index) => MarkerPrefix + "arg" + index.ToString(System.Globalization.CultureInfo.InvariantCulture) + "__";

    /// <summary>The placeholder for the variable <paramref name="index"/> an expression template declares.</summary>
    public static string LocalMarker(int index) => MarkerPrefix + "local" + index.ToString(System.Globalization.CultureInfo.InvariantCulture) + "__";
}

/// <summary>A lambda parameter: its name in the user's code and its type.</summary>
internal sealed record LambdaParameterModel(string Name, string Type);

/// <summary>A constant <c>string.Split</c>: the separator as a C# literal, its length, and the options.</summary>
internal sealed record SplitModel(string SeparatorLiteral, int SeparatorLength, bool RemoveEmptyEntries, bool TrimEntries);
