using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using Pipelines.Compilation;
using Pipelines.Generators.Diagnostics;
using Pipelines.Generators.Model;

namespace Pipelines.Generators.Parsing;

/// <summary>Reads one <c>Define…</c> method into a <see cref="DefinitionModel"/> (its operator graph).</summary>
internal sealed class DefinitionReader
{
    private readonly SemanticModel _model;
    private readonly MethodDeclarationSyntax _method;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly CancellationToken _cancellationToken;
    private readonly List<NodeModel> _nodes = [];
    private readonly Dictionary<int, int> _sources = [];
    private readonly Dictionary<ISymbol, int> _locals = new(SymbolEqualityComparer.Default);
    private readonly bool _fileLocalTypes;
    private readonly HashSet<string> _declaredNames;
    private IMethodSymbol _symbol = null!;
    private string? _fallback;

    /// <param name="fileLocalTypes">Whether the method's file declares a <c>file</c>-local type (else none can be used).</param>
    public DefinitionReader(SemanticModel model, MethodDeclarationSyntax method, bool fileLocalTypes, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        _model = model;
        _method = method;
        _fileLocalTypes = fileLocalTypes;
        _declaredNames = SyntacticFilters.DeclaredNames(method);
        _diagnostics = diagnostics;
        _cancellationToken = cancellationToken;
    }

    private string Name => _method.Identifier.ValueText;

    /// <summary>The definition, or null when its signature cannot be mirrored by a Compile method (reported as PIPE102).</summary>
    public DefinitionModel? Read()
    {
        if (_model.GetDeclaredSymbol(_method, _cancellationToken) is not IMethodSymbol symbol)
        {
            return null;
        }

        _symbol = symbol;
        var signatureProblem = SignatureProblem(symbol, out var outputType);
        if (signatureProblem is not null)
        {
            ReportShape(_method.Identifier.GetLocation(), signatureProblem);
            return null;
        }

        var parameters = symbol.Parameters
            .Select(p =>
            {
                Parser.IsStream(p.Type, out var element);
                return new ParameterModel(p.Name, Parser.Display(p.Type), Parser.Display(element));
            })
            .ToEquatableArray();

        var root = -1;
        var body = _method.ExpressionBody?.Expression ?? ReturnedExpression(_method.Body);
        if (body is null)
        {
            ReportShape(_method.Identifier.GetLocation(), "its body must be one expression (=> ...) or a return statement (after local constants and DStream locals only) that builds the stream");
        }
        else if (NonStreamLocal() is { } local)
        {
            ReportShape(local.GetLocation(), $"its local '{local.Identifier.ValueText}' is neither a constant nor an initialized DStream; declare only local constants and DStream locals before the return");
        }
        else
        {
            root = ReadStream(body);
        }

        if (root < 0)
        {
            _fallback ??= "its body could not be read as a chain of operators";
        }

        return new DefinitionModel(
            Name,
            Parser.Display(symbol.ReturnType),
            outputType,
            parameters,
            _fallback is null ? _nodes.ToEquatableArray() : EquatableArray<NodeModel>.Empty,
            _fallback is null ? root : -1,
            Fingerprint.Of(_method),
            _fallback,
            _model.Compilation.Options.CheckOverflow
                || _method.DescendantNodes().Any(n => n.IsKind(SyntaxKind.CheckedExpression) || n.IsKind(SyntaxKind.CheckedStatement)));
    }

    /// <summary>The expression of a block body made of local constants and one return statement.</summary>
    private static ExpressionSyntax? ReturnedExpression(BlockSyntax? block)
    {
        if (block is null || block.Statements.Count == 0 || block.Statements[block.Statements.Count - 1] is not ReturnStatementSyntax { Expression: { } returned })
        {
            return null;
        }

        for (var i = 0; i < block.Statements.Count - 1; i++)
        {
            if (block.Statements[i] is not LocalDeclarationStatementSyntax { UsingKeyword.RawKind: 0, AwaitKeyword.RawKind: 0 })
            {
                return null;
            }
        }

        return returned;
    }

    /// <summary>A local of the body that is neither a constant nor a DStream with an initializer, or null.</summary>
    private VariableDeclaratorSyntax? NonStreamLocal()
    {
        foreach (var declaration in _method.Body?.Statements.OfType<LocalDeclarationStatementSyntax>() ?? [])
        {
            if (declaration.IsConst)
            {
                continue;
            }

            foreach (var declarator in declaration.Declaration.Variables)
            {
                if (declarator.Initializer is null
                    || _model.GetDeclaredSymbol(declarator, _cancellationToken) is not ILocalSymbol local
                    || StreamElement(local.Type) is null)
                {
                    return declarator;
                }
            }
        }

        return null;
    }

    private static string? SignatureProblem(IMethodSymbol symbol, out string outputType)
    {
        outputType = string.Empty;
        if (symbol.IsGenericMethod)
        {
            return "generic definitions are not compiled; give the stream types explicitly";
        }

        if (!Parser.IsStream(symbol.ReturnType, out var output))
        {
            return "a definition must return a DStream<T>";
        }

        if (symbol.Parameters.Length == 0)
        {
            return "a definition takes at least one DStream parameter";
        }

        foreach (var parameter in symbol.Parameters)
        {
            if (!Parser.IsStream(parameter.Type, out _) || parameter.RefKind != RefKind.None || parameter.IsParams || parameter.HasExplicitDefaultValue)
            {
                return $"parameter '{parameter.Name}' must be a plain DStream<T> parameter (no ref, params or default value)";
            }
        }

        outputType = Parser.Display(output);
        return null;
    }

    /// <summary>Reads a stream expression into a node; -1 when it cannot be compiled (already reported).</summary>
    private int ReadStream(ExpressionSyntax expression)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        while (expression is ParenthesizedExpressionSyntax parenthesized)
        {
            expression = parenthesized.Expression;
        }

        var bound = _model.GetSymbolInfo(expression, _cancellationToken).Symbol;
        if (expression is IdentifierNameSyntax && bound is IParameterSymbol parameter
            && SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, _symbol))
        {
            return Source(parameter);
        }

        if (expression is IdentifierNameSyntax && bound is ILocalSymbol { IsConst: false } local
            && local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) is VariableDeclaratorSyntax { Initializer.Value: { } initializer } declarator
            && _method.Body is { } methodBody && methodBody.Span.Contains(declarator.Span))
        {
            // A DStream local of the definition (`var words = lines.FlatMap(…);`): its initializer, read once.
            if (!_locals.TryGetValue(local, out var node))
            {
                node = ReadStream(initializer);
                _locals[local] = node;
            }

            return node;
        }

        if (expression is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } invocation
            && bound is IMethodSymbol method
            && _model.GetTypeInfo(access.Expression, _cancellationToken).Type is { } receiverType && StreamElement(receiverType) is not null)
        {
            return ReadOperator(invocation, access, method);
        }

        ReportShape(expression.GetLocation(), $"'{Shorten(expression)}' is not a parameter of the definition or an operator called on one; build the returned stream from the method's DStream parameters (directly or through DStream locals)");
        return -1;
    }

    private int ReadOperator(InvocationExpressionSyntax invocation, MemberAccessExpressionSyntax access, IMethodSymbol method)
    {
        var receiver = ReadStream(access.Expression);
        var location = Location.Create(invocation.SyntaxTree, TextSpan.FromBounds(access.Name.SpanStart, invocation.Span.End));
        var definition = method.ReducedFrom ?? method;
        var info = OperatorCatalog.Find(Parser.MetadataName(definition.ContainingType.OriginalDefinition), method.Name);
        if (info is null)
        {
            return NotCompiled(location, method.Name, "the generator does not compile this operator");
        }

        if (info.Role == OperatorRole.Boundary)
        {
            return ReadBoundary(invocation, method, info, receiver, location);
        }

        var arguments = InParameterOrder(invocation.ArgumentList.Arguments, method);
        if (arguments is null || arguments.Length != info.FunctionCount + info.StreamCount)
        {
            return NotCompiled(location, method.Name, "this overload is not compiled");
        }

        var other = -1;
        if (info.StreamCount == 1)
        {
            other = ReadStream(arguments[0]);
        }

        var functions = new List<LambdaModel>();
        for (var i = info.StreamCount; i < arguments.Length; i++)
        {
            var lambda = ReadLambda(arguments[i], method.Name, location);
            if (lambda is not null)
            {
                functions.Add(lambda);
            }
        }

        if (receiver < 0 || (info.StreamCount == 1 && other < 0) || functions.Count != info.FunctionCount || _fallback is not null)
        {
            return -1;
        }

        Parser.IsStream(method.ReturnType, out var element);
        var local = FileLocal(element) ?? FileLocalIn(invocation.ArgumentList);
        if (local is not null)
        {
            return NotCompiled(location, method.Name, $"it uses the file-local type '{local}', which generated code cannot see");
        }

        var (key, value) = PairTypes(element);
        _nodes.Add(new NodeModel(false, info.Operator, -1, receiver, other, Parser.Display(element), key, value, functions.ToEquatableArray()));
        return _nodes.Count - 1;
    }

    /// <summary>
    /// The argument expressions in the order of <paramref name="method"/>'s parameters (named arguments such as
    /// <c>reducer: (a, b) =&gt; a + b</c> moved to their place), or null unless every parameter gets exactly one.
    /// </summary>
    private static ExpressionSyntax[]? InParameterOrder(SeparatedSyntaxList<ArgumentSyntax> arguments, IMethodSymbol method)
    {
        if (arguments.Count != method.Parameters.Length)
        {
            return null;
        }

        var ordered = new ExpressionSyntax[arguments.Count];
        for (var i = 0; i < arguments.Count; i++)
        {
            var position = i;
            if (arguments[i].NameColon is { } name)
            {
                position = -1;
                for (var p = 0; p < method.Parameters.Length; p++)
                {
                    if (method.Parameters[p].Name == name.Name.Identifier.ValueText)
                    {
                        position = p;
                    }
                }
            }

            if (position < 0 || ordered[position] is not null)
            {
                return null;
            }

            ordered[position] = arguments[i].Expression;
        }

        return ordered;
    }

    /// <summary>
    /// An operator the runtime runs (windowed, stateful, or one that sees whole batches or several streams): its
    /// stream argument, if any, is read as a node; its other arguments are passed on as written (constants inlined);
    /// a reducing window's reducer is also read as a lambda, for the per-batch reduce the fused stage applies first.
    /// </summary>
    private int ReadBoundary(InvocationExpressionSyntax invocation, IMethodSymbol method, OperatorInfo info, int receiver, Location location)
    {
        var arguments = invocation.ArgumentList.Arguments;
        var other = -1;
        if (info.StreamCount == 1)
        {
            if (arguments.Count == 0 || arguments[0].NameColon is not null)
            {
                return NotCompiled(location, method.Name, "its stream argument must come first, without a name");
            }

            other = ReadStream(arguments[0].Expression);
        }

        var passed = new List<string>();
        for (var i = info.StreamCount; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            var captured = Captures.FirstFromOutside(_model, argument.Expression, _declaredNames, _cancellationToken);
            if (captured is not null)
            {
                _fallback ??= $"an argument of {method.Name} uses '{captured.Name}' (PIPE002)";
                return -1;
            }

            passed.Add(LambdaReader.InlineConstants(_model, argument, _declaredNames, _cancellationToken));
        }

        var functions = new List<LambdaModel>();
        var first = arguments.FirstOrDefault();
        var firstIsReducer = first is not null && (first.NameColon is null
            || (info.StreamCount == 0 && method.Parameters.Length > 0 && first.NameColon.Name.Identifier.ValueText == method.Parameters[0].Name));
        if (info.FunctionCount == 1 && firstIsReducer && first!.Expression is LambdaExpressionSyntax reducer
            && LambdaReader.Read(_model, reducer, _declaredNames, _cancellationToken) is { } lambda
            && (lambda.Parameters.Count == 2 || EventTimeReading.TakesOneParameterFunction(info.Operator, lambda)))
        {
            functions.Add(lambda);
        }

        if (receiver < 0 || (info.StreamCount == 1 && other < 0) || _fallback is not null)
        {
            return -1;
        }

        var element = StreamElement(method.ReturnType);
        if (element is null)
        {
            return NotCompiled(location, method.Name, "its result is not a stream");
        }

        var local = FileLocal(element) ?? FileLocalIn(invocation.ArgumentList);
        if (local is not null)
        {
            return NotCompiled(location, method.Name, $"it uses the file-local type '{local}', which generated code cannot see");
        }

        var (key, value) = PairTypes(element);
        _nodes.Add(new NodeModel(false, info.Operator, -1, receiver, other, Parser.Display(element), key, value, functions.ToEquatableArray(), string.Join(", ", passed)));
        return _nodes.Count - 1;
    }

    /// <summary>The name of a file-local type in <paramref name="type"/> (its type arguments and tuple elements included), or null.</summary>
    private static string? FileLocal(ITypeSymbol? type)
    {
        switch (type)
        {
            case INamedTypeSymbol named:
                for (var t = named; t is not null; t = t.ContainingType)
                {
                    if (t.IsFileLocal)
                    {
                        return t.Name;
                    }
                }

                return named.TypeArguments.Select(FileLocal).FirstOrDefault(n => n is not null);
            case IArrayTypeSymbol array:
                return FileLocal(array.ElementType);
            default:
                return null;
        }
    }

    /// <summary>The name of a file-local type that <paramref name="node"/> refers to, or null.</summary>
    private string? FileLocalIn(SyntaxNode node)
    {
        if (!_fileLocalTypes)
        {
            return null;
        }

        foreach (var name in node.DescendantNodes().OfType<SimpleNameSyntax>())
        {
            var symbol = _model.GetSymbolInfo(name, _cancellationToken).Symbol;
            var type = symbol as ITypeSymbol ?? symbol?.ContainingType ?? (symbol as ILocalSymbol)?.Type ?? (symbol as IParameterSymbol)?.Type;
            if (FileLocal(type) is { } local)
            {
                return local;
            }
        }

        return null;
    }

    /// <summary>T of the <c>DStream&lt;T&gt;</c> that <paramref name="type"/> is or derives from.</summary>
    private static ITypeSymbol? StreamElement(ITypeSymbol type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (Parser.IsStream(current, out var element))
            {
                return element;
            }
        }

        return null;
    }

    private LambdaModel? ReadLambda(ExpressionSyntax argument, string operatorName, Location location)
    {
        if (argument is not LambdaExpressionSyntax lambda)
        {
            if (LambdaReader.ReadMethodGroup(_model, argument, _cancellationToken) is { } call)
            {
                return call;
            }

            NotCompiled(argument.GetLocation(), operatorName, "its argument is neither a lambda expression nor a static method");
            return null;
        }

        if (lambda.AsyncKeyword.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.AsyncKeyword))
        {
            NotCompiled(location, operatorName, "async lambdas are not compiled");
            return null;
        }

        var captured = Captures.FirstInFunction(_model, lambda, _declaredNames, _cancellationToken);
        if (captured is not null)
        {
            // Reported by the analyzer as PIPE002; the generator only keeps the definition interpreted.
            _fallback ??= $"the lambda passed to {operatorName} captures '{captured.Name}' (PIPE002)";
            return null;
        }

        return LambdaReader.Read(_model, lambda, _declaredNames, _cancellationToken);
    }

    private int Source(IParameterSymbol parameter)
    {
        if (_sources.TryGetValue(parameter.Ordinal, out var existing))
        {
            return existing;
        }

        Parser.IsStream(parameter.Type, out var element);
        var (key, value) = PairTypes(element);
        _nodes.Add(new NodeModel(true, default, parameter.Ordinal, -1, -1, Parser.Display(element), key, value, EquatableArray<LambdaModel>.Empty));
        _sources[parameter.Ordinal] = _nodes.Count - 1;
        return _nodes.Count - 1;
    }

    private static (string? Key, string? Value) PairTypes(ITypeSymbol element) =>
        element is INamedTypeSymbol { IsTupleType: true, TupleElements.Length: 2 } tuple
            ? (Parser.Display(tuple.TupleElements[0].Type), Parser.Display(tuple.TupleElements[1].Type))
            : (null, null);

    private int NotCompiled(Location location, string operatorName, string why)
    {
        _diagnostics.Add(DiagnosticInfo.Create(GeneratorDiagnostics.OperatorNotCompiled, location, operatorName, why, Name));
        _fallback ??= $"{operatorName} is not compiled ({why})";
        return -1;
    }

    private void ReportShape(Location location, string why)
    {
        _diagnostics.Add(DiagnosticInfo.Create(GeneratorDiagnostics.DefinitionShapeNotSupported, location, Name, why));
        _fallback ??= why;
    }

    private static string Shorten(SyntaxNode node)
    {
        var text = Emitting.Emitter.OneLine(node.ToString());
        return text.Length <= 40 ? text : text.Substring(0, 37) + "...";
    }
}
