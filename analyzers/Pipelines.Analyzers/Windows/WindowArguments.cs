using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Pipelines.Analyzers.Runtime;

namespace Pipelines.Analyzers.Windows;

/// <summary>
/// The window length and slide arguments of a windowed operator (<c>Window</c>, <c>CountByWindow</c>,
/// <c>ReduceByWindow</c>, <c>ReduceByKeyAndWindow</c>, <c>CountByValueAndWindow</c>, <c>GroupByKeyAndWindow</c>):
/// a Pipelines operator whose name contains "Window", matched by its <c>TimeSpan</c> parameters' names
/// (window…/…length, slide…/…interval; else the first and second <c>TimeSpan</c>).
/// </summary>
internal readonly struct WindowArguments
{
    private WindowArguments(IArgumentOperation? window, IArgumentOperation? slide)
    {
        Window = window;
        Slide = slide;
    }

    /// <summary>The window length argument.</summary>
    public IArgumentOperation? Window { get; }

    /// <summary>The slide argument; null (or an argument whose value is null/default) when omitted.</summary>
    public IArgumentOperation? Slide { get; }

    public static bool IsWindowOperator(IMethodSymbol method) =>
        method.Name.IndexOf("Window", StringComparison.Ordinal) >= 0 && PipelinesSymbols.IsInPipelinesNamespace(method);

    public static WindowArguments Find(IInvocationOperation invocation, PipelinesSymbols symbols)
    {
        IArgumentOperation? window = null, slide = null, first = null, second = null;
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter is not { } parameter || !IsDuration(parameter.Type, symbols))
            {
                continue;
            }

            if (first is null)
            {
                first = argument;
            }
            else
            {
                second ??= argument;
            }

            var name = parameter.Name;
            if (window is null && (Contains(name, "window") || Contains(name, "length")))
            {
                window = argument;
            }
            else if (slide is null && (Contains(name, "slide") || Contains(name, "interval")))
            {
                slide = argument;
            }
        }

        return new WindowArguments(window ?? first, slide ?? (window is null ? second : null));
    }

    /// <summary>Whether an argument is really given (not omitted, not <c>null</c>, not <c>default</c>).</summary>
    public static bool IsGiven(IArgumentOperation? argument)
    {
        if (argument is null || argument.ArgumentKind == ArgumentKind.DefaultValue)
        {
            return false;
        }

        var value = PipelinesSymbols.WalkDownConversions(argument.Value);
        return value is not null and not IDefaultValueOperation && !(value.ConstantValue.HasValue && value.ConstantValue.Value is null);
    }

    private static bool IsDuration(ITypeSymbol type, PipelinesSymbols symbols) =>
        symbols.IsTimeSpan(type) ||
        (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable && symbols.IsTimeSpan(nullable.TypeArguments[0]));

    private static bool Contains(string text, string part) => text.IndexOf(part, StringComparison.OrdinalIgnoreCase) >= 0;
}
