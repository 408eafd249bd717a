using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Pipelines.Generators.Model;

namespace Pipelines.Generators.Parsing;

/// <summary>
/// Reads a non-capturing lambda into a <see cref="LambdaModel"/>: an expression body becomes a template whose
/// parameter references are markers (so the planner can substitute renamed locals); references to local
/// constants become their values (the generated code cannot see the definition's locals).
/// </summary>
internal static class LambdaReader
{
    /// <param name="declaredNames">The names the definition declares (<see cref="SyntacticFilters.DeclaredNames"/>): only identifiers with one of them are bound.</param>
    public static LambdaModel? Read(SemanticModel model, LambdaExpressionSyntax lambda, ISet<string> declaredNames, CancellationToken cancellationToken)
    {
        if (model.GetSymbolInfo(lambda, cancellationToken).Symbol is not IMethodSymbol symbol)
        {
            return null;
        }

        var parameters = symbol.Parameters.Select(p => new LambdaParameterModel(p.Name, Parser.Display(p.Type))).ToEquatableArray();
        if (lambda.Body is BlockSyntax block)
        {
            var rewritten = new TemplateRewriter(model, symbol, replaceParameters: false, declaredNames, cancellationToken).Visit(block)!;
            return new LambdaModel(parameters, Parser.Display(symbol.ReturnType), true, Normalize(rewritten), null, null, null, Identifiers(rewritten));
        }

        var body = (ExpressionSyntax)lambda.Body;
        if (body is ThrowExpressionSyntax thrown)
        {
            // A throw expression is no value to assign: compile it as the block { throw …; }.
            var rewrittenThrow = new TemplateRewriter(model, symbol, replaceParameters: false, declaredNames, cancellationToken).Visit(thrown.Expression)!;
            var throwBlock = SyntaxFactory.Block(SyntaxFactory.ThrowStatement((ExpressionSyntax)rewrittenThrow));
            return new LambdaModel(parameters, Parser.Display(symbol.ReturnType), true, Normalize(throwBlock), null, null, null, Identifiers(throwBlock));
        }

        var locals = DeclaredLocals(model, body, cancellationToken);
        var rewrittenBody = new TemplateRewriter(model, symbol, replaceParameters: true, declaredNames, cancellationToken, locals).Visit(body)!;
        var template = Normalize(rewrittenBody);
        var bodyType = model.GetTypeInfo(body, cancellationToken).Type;
        return new LambdaModel(
            parameters,
            Parser.Display(symbol.ReturnType),
            false,
            template,
            bodyType is null or IErrorTypeSymbol ? null : Parser.Display(bodyType),
            KeyedValue(model, symbol, body, locals, declaredNames, cancellationToken),
            Split(model, symbol, body, cancellationToken),
            Identifiers(rewrittenBody),
            locals.OrderBy(l => l.Value).Select(l => l.Key.Name).ToEquatableArray());
    }

    /// <summary>
    /// A static, non-generic method passed as a function (<c>Map(Parse)</c>): a call template with the method's
    /// fully qualified name, so it inlines like an expression lambda. Null for anything else.
    /// </summary>
    public static LambdaModel? ReadMethodGroup(SemanticModel model, ExpressionSyntax argument, CancellationToken cancellationToken)
    {
        if (argument is not (IdentifierNameSyntax or MemberAccessExpressionSyntax)
            || model.GetSymbolInfo(argument, cancellationToken).Symbol is not IMethodSymbol { IsStatic: true, IsGenericMethod: false, MethodKind: MethodKind.Ordinary } method
            || method.Parameters.Any(p => p.RefKind != RefKind.None)
            || model.GetTypeInfo(argument, cancellationToken).ConvertedType is not INamedTypeSymbol { DelegateInvokeMethod: { } invoke }
            || invoke.Parameters.Length != method.Parameters.Length)
        {
            return null;
        }

        var markers = string.Join(", ", method.Parameters.Select(p => LambdaModel.ParameterMarker(p.Ordinal)));
        var name = SyntaxFacts.GetKeywordKind(method.Name) != SyntaxKind.None ? "@" + method.Name : method.Name;
        var parameters = invoke.Parameters.Select((p, i) => new LambdaParameterModel(method.Parameters[i].Name, Parser.Display(p.Type))).ToEquatableArray();
        return new LambdaModel(
            parameters,
            Parser.Display(invoke.ReturnType),
            false,
            $"{Parser.Display(method.ContainingType)}.{name}({markers})",
            Parser.Display(method.ReturnType),
            null,
            null,
            EquatableArray<string>.Empty);
    }

    /// <summary>The text of <paramref name="node"/> with local constants replaced by their values.</summary>
    public static string InlineConstants(SemanticModel model, SyntaxNode node, ISet<string> declaredNames, CancellationToken cancellationToken) =>
        Normalize(new TemplateRewriter(model, null, replaceParameters: false, declaredNames, cancellationToken).Visit(node)!);

    private static string Template(SemanticModel model, IMethodSymbol lambda, SyntaxNode node, Dictionary<ISymbol, int> locals, ISet<string> declaredNames, CancellationToken cancellationToken) =>
        Normalize(new TemplateRewriter(model, lambda, replaceParameters: true, declaredNames, cancellationToken, locals).Visit(node)!);

    /// <summary>
    /// The variables an expression body declares in its own scope (out variables, pattern designations), numbered
    /// in order; those of nested lambdas stay in the nested lambda's scope and keep their names.
    /// </summary>
    private static Dictionary<ISymbol, int> DeclaredLocals(SemanticModel model, ExpressionSyntax body, CancellationToken cancellationToken)
    {
        var locals = new Dictionary<ISymbol, int>(SymbolEqualityComparer.Default);
        foreach (var designation in body.DescendantNodesAndSelf(n => n is not AnonymousFunctionExpressionSyntax).OfType<SingleVariableDesignationSyntax>())
        {
            if (model.GetDeclaredSymbol(designation, cancellationToken) is ILocalSymbol local && !locals.ContainsKey(local))
            {
                locals.Add(local, locals.Count);
            }
        }

        return locals;
    }

    /// <summary>Every identifier the (rewritten) body mentions or declares, except markers.</summary>
    private static EquatableArray<string> Identifiers(SyntaxNode body) =>
        body.DescendantTokens()
            .Where(t => t.IsKind(SyntaxKind.IdentifierToken) && !t.ValueText.StartsWith(LambdaModel.MarkerPrefix, System.StringComparison.Ordinal))
            .Select(t => t.ValueText)
            .Distinct()
            .OrderBy(i => i, System.StringComparer.Ordinal)
            .ToEquatableArray();

    private static string Normalize(SyntaxNode node) => node.WithoutTrivia().NormalizeWhitespace(eol: "\n").ToFullString();

    /// <summary>For a body <c>(p, e)</c> where <c>e</c> does not read <c>p</c>: the template of <c>e</c>.</summary>
    private static string? KeyedValue(SemanticModel model, IMethodSymbol lambda, ExpressionSyntax body, Dictionary<ISymbol, int> locals, ISet<string> declaredNames, CancellationToken cancellationToken)
    {
        body = Unwrap(body);
        if (lambda.Parameters.Length != 1 || body is not TupleExpressionSyntax { Arguments.Count: 2 } tuple
            || !IsParameter(model, lambda, Unwrap(tuple.Arguments[0].Expression), cancellationToken))
        {
            return null;
        }

        var value = tuple.Arguments[1].Expression;
        if (value.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(i => IsParameter(model, lambda, i, cancellationToken)))
        {
            return null;
        }

        return Template(model, lambda, value, locals, declaredNames, cancellationToken);
    }

    /// <summary>For a body <c>p.Split(constant separator[, constant options])</c> on a string: the split.</summary>
    private static SplitModel? Split(SemanticModel model, IMethodSymbol lambda, ExpressionSyntax body, CancellationToken cancellationToken)
    {
        body = Unwrap(body);
        if (lambda.Parameters.Length != 1
            || body is not InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Expression: var target } } invocation
            || !IsParameter(model, lambda, Unwrap(target), cancellationToken)
            || model.GetSymbolInfo(invocation, cancellationToken).Symbol is not IMethodSymbol { Name: "Split", ContainingType.SpecialType: SpecialType.System_String } split)
        {
            return null;
        }

        var arguments = invocation.ArgumentList.Arguments;
        var parameters = split.Parameters;
        if (arguments.Count is < 1 or > 2 || arguments.Any(a => a.NameColon is not null) || parameters.Length is < 1 or > 2
            || (parameters.Length == 2 && parameters[1].Type.Name != "StringSplitOptions"))
        {
            return null;
        }

        var separator = model.GetConstantValue(arguments[0].Expression, cancellationToken);
        var options = arguments.Count == 2 ? model.GetConstantValue(arguments[1].Expression, cancellationToken) : new Optional<object?>(0);
        if (!separator.HasValue || !options.HasValue || options.Value is not int flags || (flags & ~3) != 0)
        {
            return null;
        }

        return parameters[0].Type.SpecialType switch
        {
            SpecialType.System_Char when separator.Value is char c =>
                new SplitModel(SymbolDisplay.FormatLiteral(c, quote: true), 1, (flags & 1) != 0, (flags & 2) != 0),
            SpecialType.System_String when separator.Value is string { Length: > 0 } s =>
                new SplitModel(SymbolDisplay.FormatLiteral(s, quote: true), s.Length, (flags & 1) != 0, (flags & 2) != 0),
            _ => null,
        };
    }

    private static bool IsParameter(SemanticModel model, IMethodSymbol lambda, ExpressionSyntax expression, CancellationToken cancellationToken) =>
        expression is IdentifierNameSyntax identifier
        && identifier.Identifier.ValueText == lambda.Parameters[0].Name
        && model.GetSymbolInfo(expression, cancellationToken).Symbol is IParameterSymbol { Ordinal: 0 } parameter
        && SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, lambda);

    private static ExpressionSyntax Unwrap(ExpressionSyntax expression)
    {
        while (expression is ParenthesizedExpressionSyntax parenthesized)
        {
            expression = parenthesized.Expression;
        }

        return expression;
    }

    /// <summary>
    /// Replaces parameter references and declared variables with markers, local constants with their values and
    /// <c>nameof(…)</c> with its string (it must keep the user's name when a parameter is renamed). Only identifiers
    /// named like something the definition declares are bound: the others are none of these.
    /// </summary>
    private sealed class TemplateRewriter(
        SemanticModel model, IMethodSymbol? lambda, bool replaceParameters, ISet<string> declaredNames, CancellationToken cancellationToken, Dictionary<ISymbol, int>? locals = null)
        : CSharpSyntaxRewriter
    {
        public override SyntaxNode? VisitInvocationExpression(InvocationExpressionSyntax node)
        {
            if (node.Expression is IdentifierNameSyntax { Identifier.ValueText: "nameof" }
                && model.GetSymbolInfo(node.Expression, cancellationToken).Symbol is null
                && model.GetConstantValue(node, cancellationToken) is { HasValue: true, Value: string name })
            {
                return SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(name)).WithTriviaFrom(node);
            }

            return base.VisitInvocationExpression(node);
        }

        public override SyntaxNode? VisitSingleVariableDesignation(SingleVariableDesignationSyntax node)
        {
            if (locals is not null && model.GetDeclaredSymbol(node, cancellationToken) is { } local && locals.TryGetValue(local, out var index))
            {
                return SyntaxFactory.SingleVariableDesignation(SyntaxFactory.Identifier(LambdaModel.LocalMarker(index))).WithTriviaFrom(node);
            }

            return base.VisitSingleVariableDesignation(node);
        }

        public override SyntaxNode? VisitIdentifierName(IdentifierNameSyntax node)
        {
            if (!declaredNames.Contains(node.Identifier.ValueText))
            {
                return base.VisitIdentifierName(node);
            }

            var symbol = model.GetSymbolInfo(node, cancellationToken).Symbol;
            if (replaceParameters && symbol is IParameterSymbol parameter && SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, lambda))
            {
                return SyntaxFactory.IdentifierName(LambdaModel.ParameterMarker(parameter.Ordinal)).WithTriviaFrom(node);
            }

            if (locals is not null && symbol is ILocalSymbol declared && locals.TryGetValue(declared, out var index))
            {
                return SyntaxFactory.IdentifierName(LambdaModel.LocalMarker(index)).WithTriviaFrom(node);
            }

            if (symbol is ILocalSymbol { IsConst: true, HasConstantValue: true } constant)
            {
                var literal = constant.ConstantValue is null ? "null" : SymbolDisplay.FormatPrimitive(constant.ConstantValue, quoteStrings: true, useHexadecimalNumbers: false);
                return SyntaxFactory.ParseExpression("((" + Parser.Display(constant.Type) + ")" + literal + ")").WithTriviaFrom(node);
            }

            return base.VisitIdentifierName(node);
        }
    }
}
