using Microsoft.CodeAnalysis;

namespace Pipelines.Analyzers.Keys;

/// <summary>Decides whether a key type compares by value, as a dictionary keyed by it needs.</summary>
internal static class KeyEquality
{
    /// <summary>
    /// Why <paramref name="type"/> compares by reference ("is an array", …), or null when it has value
    /// equality or cannot be judged (interfaces, type parameters, abstract classes, object).
    /// </summary>
    public static string? WhyReferenceEquality(ITypeSymbol type, out INamedTypeSymbol? offendingClass, int depth = 0)
    {
        offendingClass = null;
        if (depth > 8)
        {
            return null;
        }

        switch (type)
        {
            case IArrayTypeSymbol:
                return "is an array";
            case INamedTypeSymbol { IsTupleType: true } tuple:
                foreach (var element in tuple.TupleElements)
                {
                    if (WhyReferenceEquality(element.Type, out offendingClass, depth + 1) is { } inner)
                    {
                        return $"holds '{element.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}', which {inner}";
                    }
                }

                return null;
            case INamedTypeSymbol { TypeKind: TypeKind.Class, IsAbstract: false, IsRecord: false, SpecialType: SpecialType.None } named
                when !OverridesEquality(named):
                offendingClass = named;
                return "is a class that overrides neither Equals nor GetHashCode";
            default:
                return null;
        }
    }

    private static bool OverridesEquality(INamedTypeSymbol type)
    {
        for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            foreach (var member in current.GetMembers("Equals"))
            {
                if (member is IMethodSymbol { IsOverride: true, Parameters.Length: 1 })
                {
                    return true;
                }
            }

            foreach (var member in current.GetMembers("GetHashCode"))
            {
                if (member is IMethodSymbol { IsOverride: true, Parameters.Length: 0 })
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a user class can become a <c>record</c> without breaking the code around it: declared once in
    /// source, deriving from <c>object</c>, not static, and declaring none of the members a record synthesizes.
    /// (The code fix also checks that no class derives from it.)
    /// </summary>
    public static bool CanBecomeRecord(INamedTypeSymbol type)
    {
        if (type.IsStatic || type.DeclaringSyntaxReferences.Length != 1 || type.BaseType?.SpecialType != SpecialType.System_Object)
        {
            return false;
        }

        foreach (var member in type.GetMembers())
        {
            switch (member.Name)
            {
                case "Equals" or "GetHashCode" or "EqualityContract" or "PrintMembers" or "Clone" or "Deconstruct" or "<Clone>$" or "op_Equality" or "op_Inequality":
                    return false;
                case ".ctor" when member is IMethodSymbol { Parameters.Length: 1 } constructor &&
                                  SymbolEqualityComparer.Default.Equals(constructor.Parameters[0].Type, type):
                    return false;
            }
        }

        return true;
    }
}
