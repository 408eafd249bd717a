using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Pipelines.Generators.Diagnostics;

/// <summary>
/// The diagnostics of the pipeline generator (PIPE1xx; the analyzers own PIPE0xx). Both are warnings: the
/// definition still runs, interpreted, so the user's build never breaks because of the generator.
/// </summary>
internal static class GeneratorDiagnostics
{
    private const string Category = "Pipelines.Generator";
    private const string HelpRoot = BuildInfo.HelpLinkBase;

    /// <summary>An operator, overload or argument the generator does not compile.</summary>
    public static readonly DiagnosticDescriptor OperatorNotCompiled = new(
        id: "PIPE101",
        title: "Operator or overload not compiled, definition runs interpreted",
        messageFormat: "'{0}' is not compiled ({1}), so '{2}' runs interpreted; use the compiled operators and lambda arguments listed in docs/generator.md to fuse it",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The generator fuses Map, FlatMap, Filter, MapValues, FlatMapValues, ReduceByKey, CountByValue, Count, Reduce, CombineByKey, GroupByKey, the joins and CoGroup, with lambda arguments. Any other operator, overload or argument keeps the whole definition on the interpreted path.",
        helpLinkUri: HelpRoot + "PIPE101.md");

    /// <summary>A <c>Define…</c> method whose shape the generator cannot compile.</summary>
    public static readonly DiagnosticDescriptor DefinitionShapeNotSupported = new(
        id: "PIPE102",
        title: "Define method shape not supported",
        messageFormat: "'{0}' is not compiled: {1}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A compiled definition is a public static method of a partial [StreamingPipeline] class, not generic, taking one or two DStream parameters and returning a DStream built from them by a single expression (an expression body or one return statement).",
        helpLinkUri: HelpRoot + "PIPE102.md");

    /// <summary>Every generator diagnostic: what <see cref="DefinitionDiagnosticsAnalyzer"/> supports and reports.</summary>
    public static ImmutableArray<DiagnosticDescriptor> All { get; } = [OperatorNotCompiled, DefinitionShapeNotSupported];

    /// <summary>The descriptor with id <paramref name="id"/>.</summary>
    public static DiagnosticDescriptor Find(string id) => All.First(descriptor => descriptor.Id == id);
}
