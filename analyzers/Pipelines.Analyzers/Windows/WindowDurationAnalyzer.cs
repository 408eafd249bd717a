using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Pipelines.Analyzers.Runtime;

namespace Pipelines.Analyzers.Windows;

/// <summary>
/// PIPE003: a window length or slide that is not a multiple of the parent stream's slide (the batch interval
/// for a stream read from the context), as Spark checks when the window is defined. Reported only when both
/// durations are constants visible in the same method.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class WindowDurationAnalyzer : PipelinesOperationAnalyzer
{
    /// <summary>Creates the analyzer.</summary>
    public WindowDurationAnalyzer()
        : base(ImmutableArray.Create(DiagnosticDescriptors.WindowDurationNotMultiple), OperationKind.Invocation)
    {
    }

    private protected override bool AppliesTo(PipelinesSymbols symbols) => symbols is { TimeSpan: not null };

    private protected override void Analyze(OperationAnalysisContext context, PipelinesSymbols symbols)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (!WindowArguments.IsWindowOperator(invocation.TargetMethod) || symbols.StreamReceiver(invocation) is not { } receiver)
        {
            return;
        }

        var arguments = WindowArguments.Find(invocation, symbols);
        if (arguments.Window is null ||
            ParentSlides.Find(receiver, symbols, context.CancellationToken) is not { } parent ||
            parent.Ticks <= 0)
        {
            return;
        }

        Check(context, invocation, arguments.Window, "window length", parent, symbols);
        if (WindowArguments.IsGiven(arguments.Slide))
        {
            Check(context, invocation, arguments.Slide!, "slide", parent, symbols);
        }
    }

    private static void Check(
        OperationAnalysisContext context,
        IInvocationOperation invocation,
        IArgumentOperation argument,
        string what,
        (long Ticks, string Description) parent,
        PipelinesSymbols symbols)
    {
        if (ConstantDurations.TryGetTicks(argument.Value, symbols, context.CancellationToken) is { } ticks &&
            ticks % parent.Ticks != 0)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.WindowDurationNotMultiple,
                argument.Value.Syntax.GetLocation(),
                what,
                invocation.TargetMethod.Name,
                ConstantDurations.Format(ticks),
                parent.Description,
                ConstantDurations.Format(parent.Ticks)));
        }
    }
}
