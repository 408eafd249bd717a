using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Pipelines.Analyzers.Windows;

/// <summary>
/// Recognizes the incremental form of a windowed reduce: an inverse function (a parameter named inv…/inverse…,
/// or a second reduce-shaped delegate) and its optional key filter (a parameter named …filter…, or a delegate
/// returning bool).
/// </summary>
internal static class InverseWindows
{
    public static bool HasInverse(IInvocationOperation invocation)
    {
        var reducers = 0;
        foreach (var argument in invocation.Arguments)
        {
            if (!WindowArguments.IsGiven(argument) || argument.Parameter is not { } parameter || Invoke(parameter.Type) is not { } invoke)
            {
                continue;
            }

            if (parameter.Name.StartsWith("inv", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (invoke.Parameters.Length == 2 && !invoke.ReturnsVoid && invoke.ReturnType.SpecialType != SpecialType.System_Boolean)
            {
                reducers++;
            }
        }

        return reducers >= 2;
    }

    public static bool HasFilter(IInvocationOperation invocation)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (!WindowArguments.IsGiven(argument) || argument.Parameter is not { } parameter)
            {
                continue;
            }

            if (parameter.Name.IndexOf("filter", StringComparison.OrdinalIgnoreCase) >= 0 ||
                Invoke(parameter.Type) is { ReturnType.SpecialType: SpecialType.System_Boolean })
            {
                return true;
            }
        }

        return false;
    }

    private static IMethodSymbol? Invoke(ITypeSymbol type) =>
        type is INamedTypeSymbol { TypeKind: TypeKind.Delegate, DelegateInvokeMethod: { } invoke } ? invoke : null;
}
