using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Pipelines.Generators.Emitting;
using Pipelines.Generators.Parsing;
using Pipelines.Generators.Planning;

namespace Pipelines.Generators;

/// <summary>
/// Compiles <c>[StreamingPipeline]</c> classes: each <c>Define…</c> method gets a <c>Compile…</c> twin whose
/// batches run through fused, generated loops. Wiring only: parse -> plan -> emit are pure steps.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class PipelineGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var models = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Parser.AttributeMetadataName,
                static (node, _) => node is ClassDeclarationSyntax,
                static (syntax, cancellationToken) => Parser.Parse(syntax, cancellationToken))
            .WithTrackingName(TrackingNames.Models);

        var plans = models
            .Select(static (model, _) => Planner.Plan(model))
            .WithTrackingName(TrackingNames.Plans);

        // PIPE101/PIPE102 stay in the plan but are reported by DefinitionDiagnosticsAnalyzer, from the same parse:
        // once per problem, and visible where only analyzer diagnostics are shown.
        context.RegisterSourceOutput(plans, static (output, plan) =>
        {
            if (plan.Definitions.Count > 0)
            {
                output.AddSource(plan.HintName, Emitter.Emit(plan));
            }
        });
    }
}
