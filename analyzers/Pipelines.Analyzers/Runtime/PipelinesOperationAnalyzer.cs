using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Pipelines.Analyzers.Runtime;

/// <summary>
/// The wiring shared by the analyzers that look at operations: concurrent, skips generated code, resolves the
/// Pipelines types once per compilation and registers <see cref="Analyze"/> for the given operation kinds only
/// when the compilation references Pipelines (and <see cref="AppliesTo"/> holds).
/// </summary>
public abstract class PipelinesOperationAnalyzer : DiagnosticAnalyzer
{
    private readonly ImmutableArray<OperationKind> _kinds;

    private protected PipelinesOperationAnalyzer(ImmutableArray<DiagnosticDescriptor> descriptors, params OperationKind[] kinds)
    {
        SupportedDiagnostics = descriptors;
        _kinds = ImmutableArray.Create(kinds);
    }

    /// <inheritdoc />
    public sealed override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; }

    /// <inheritdoc />
    public sealed override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (PipelinesSymbols.TryCreate(start.Compilation) is { } symbols && AppliesTo(symbols))
            {
                start.RegisterOperationAction(operationContext => Analyze(operationContext, symbols), _kinds);
            }
        });
    }

    /// <summary>Whether the compilation has what this analyzer needs (e.g. a type it looks for).</summary>
    private protected virtual bool AppliesTo(PipelinesSymbols symbols) => true;

    /// <summary>Analyzes one operation of a registered kind.</summary>
    private protected abstract void Analyze(OperationAnalysisContext context, PipelinesSymbols symbols);
}
