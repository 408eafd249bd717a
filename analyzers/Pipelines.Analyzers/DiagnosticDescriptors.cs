using Microsoft.CodeAnalysis;

namespace Pipelines.Analyzers;

/// <summary>The catalog of Pipelines diagnostics (PIPE001…).</summary>
internal static class DiagnosticDescriptors
{
    internal const string HelpLinkBase = "https://github.com/pipelines/pipelines/blob/main/docs/diagnostics/";
}
