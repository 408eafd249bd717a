using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Pipelines.Analyzers.Runtime;

/// <summary>Small helpers over operation trees and the syntax they come from.</summary>
internal static class OperationTrees
{
    /// <summary>The root of the operation tree (the method body, including its lambdas and local functions).</summary>
    public static IOperation Root(IOperation operation)
    {
        while (operation.Parent is { } parent)
        {
            operation = parent;
        }

        return operation;
    }

    /// <summary>The location of the called method's name (<c>Map</c> in <c>lines.Map(f)</c>), for a precise squiggle.</summary>
    public static Location NameLocation(IInvocationOperation invocation)
    {
        if (invocation.Syntax is InvocationExpressionSyntax { Expression: var expression })
        {
            var name = expression switch
            {
                MemberAccessExpressionSyntax member => member.Name,
                MemberBindingExpressionSyntax binding => binding.Name,
                SimpleNameSyntax simple => simple,
                _ => null,
            };
            if (name is not null)
            {
                return name.Identifier.GetLocation();
            }
        }

        return invocation.Syntax.GetLocation();
    }

    /// <summary>Whether the lambda is an argument of a call (through its delegate creation), and of which call.</summary>
    public static IInvocationOperation? InvocationTakingLambda(IAnonymousFunctionOperation lambda)
    {
        var parent = lambda.Parent;
        while (parent is IDelegateCreationOperation or IConversionOperation)
        {
            parent = parent.Parent;
        }

        return parent is IArgumentOperation { Parent: IInvocationOperation invocation } ? invocation : null;
    }
}
