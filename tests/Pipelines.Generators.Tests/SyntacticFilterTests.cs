using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Pipelines.Generators.Parsing;
using Pipelines.Generators.Tests.Support;

namespace Pipelines.Generators.Tests;

/// <summary>
/// The syntactic filters that let the reader bind less (<see cref="SyntacticFilters"/>) and the capture check built on
/// them (<see cref="Captures"/>), each on its own.
/// </summary>
public sealed class SyntacticFilterTests
{
    [Fact]
    public void DeclaredNames_lists_every_parameter_local_and_range_variable_of_a_method_and_its_lambdas()
    {
        var method = Method("""
            class C
            {
                static int M(int first, string @class)
                {
                    const int Limit = 3;
                    var list = new List<int>();
                    Func<int, int> f = (x) => int.TryParse("1", out var parsed) && x is int { } boxed ? parsed + boxed : 0;
                    foreach (var item in list) { }
                    try { } catch (Exception error) { }
                    int Local(int inner) => inner;
                    var query = from a in list let b = a join c in list on a equals c into group1 select b into d select d;
                    return Limit;
                }
            }
            """);

        var names = SyntacticFilters.DeclaredNames(method);

        Assert.Equal(
            ["Limit", "Local", "a", "b", "boxed", "c", "class", "d", "error", "f", "first", "group1", "inner", "item", "list", "parsed", "query", "x"],
            names.OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public void DeclaredNames_does_not_list_names_that_are_only_used()
    {
        var method = Method("class C { static int M() => Math.Max(Other.Value, int.MaxValue); }");

        Assert.Empty(SyntacticFilters.DeclaredNames(method));
    }

    [Theory]
    [InlineData("file class Hidden { }", true)]
    [InlineData("namespace N { file record Hidden; }", true)]
    [InlineData("namespace N; class Outer { } file struct Hidden { }", true)]
    [InlineData("file delegate void Hidden();", true)]
    [InlineData("file enum Hidden { A }", true)]
    [InlineData("class Open { void M() { var file = 1; } }", false)]
    [InlineData("namespace N { public class Open { public int file; } }", false)]
    public void DeclaresFileLocalType_finds_file_local_declarations_only(string source, bool expected)
    {
        var root = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Preview)).GetRoot();

        Assert.Equal(expected, SyntacticFilters.DeclaresFileLocalType(root));
    }

    [Theory]
    // Nothing captured: own parameters, own locals, constants, nested lambdas over their own parameters, nameof.
    [InlineData("line => { var x = line + 1; return x; }", null)]
    [InlineData("n => n * Factor", null)]
    [InlineData("n => new[] { n }.Select(m => m + 1).Sum()", null)]
    [InlineData("n => nameof(other).Length + n", null)]
    [InlineData("n => int.TryParse(n.ToString(), out var parsed) ? parsed : 0", null)]
    // Captured: a parameter or local of the method, or a variable of the lambda used by a nested function.
    [InlineData("n => n + offset", "offset")]
    [InlineData("n => other.GetHashCode() + n", "other")]
    [InlineData("n => new[] { 1 }.Select(m => m + n).Sum()", "n")]
    [InlineData("n => { var k = n; int Twice() => k * 2; return Twice(); }", "k")]
    public void FirstInFunction_agrees_with_the_data_flow_analysis_of_Roslyn_4(string lambdaText, string? expected)
    {
        var (model, lambda, names) = Lambda(lambdaText);

        var captured = Captures.FirstInFunction(model, lambda, names, CancellationToken.None);

        Assert.Equal(expected, captured?.Name);
        // The loaded Roslyn (4.x) lists exactly the lambda-declared and outer symbols that are really captured.
        var flow = model.AnalyzeDataFlow(lambda)!;
        Assert.True(flow.Succeeded);
        Assert.Equal(expected, flow.Captured.FirstOrDefault(s => s is not ILocalSymbol { IsConst: true })?.Name);
    }

    [Theory]
    [InlineData("TimeSpan.FromSeconds(Factor)", null)]
    [InlineData("TimeSpan.FromSeconds(int.TryParse(\"1\", out var seconds) ? seconds : 0)", null)]
    [InlineData("new Func<int, int>(n => n + 1)", null)]
    [InlineData("TimeSpan.FromSeconds(offset)", "offset")]
    [InlineData("new Func<int, int>(n => n + offset)", "offset")]
    [InlineData("other", "other")]
    public void FirstFromOutside_finds_a_variable_of_the_method_used_in_the_expression(string argumentText, string? expected)
    {
        var (model, argument, names) = Argument(argumentText);

        var captured = Captures.FirstFromOutside(model, argument, names, CancellationToken.None);

        Assert.Equal(expected, captured?.Name);
    }

    private static MethodDeclarationSyntax Method(string source) =>
        CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Preview)).GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Single();

    private static (SemanticModel Model, LambdaExpressionSyntax Lambda, HashSet<string> Names) Lambda(string lambda)
    {
        var (model, method) = Bind($"Func<int, int> f = {lambda}; return f(1);");
        var node = method.DescendantNodes().OfType<LambdaExpressionSyntax>().First();
        return (model, node, SyntacticFilters.DeclaredNames(method));
    }

    private static (SemanticModel Model, ExpressionSyntax Argument, HashSet<string> Names) Argument(string argument)
    {
        var (model, method) = Bind($"Use({argument}); return 0;");
        var node = method.DescendantNodes().OfType<InvocationExpressionSyntax>().First(i => i.Expression is IdentifierNameSyntax { Identifier.ValueText: "Use" });
        return (model, node.ArgumentList.Arguments[0].Expression, SyntacticFilters.DeclaredNames(method));
    }

    private static (SemanticModel Model, MethodDeclarationSyntax Method) Bind(string statements)
    {
        var compilation = GeneratorHarness.Compile($$"""
            public static class Definitions
            {
                public static int Define(int offset, object other)
                {
                    const int Factor = 2;
                    {{statements}}
                }

                private static void Use(object value) { }
            }
            """);
        var tree = compilation.SyntaxTrees.Last();
        // Warnings (an unused constant) are errors in the harness; only real errors matter here.
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.DefaultSeverity == DiagnosticSeverity.Error));
        var method = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().First();
        return (compilation.GetSemanticModel(tree), method);
    }
}
