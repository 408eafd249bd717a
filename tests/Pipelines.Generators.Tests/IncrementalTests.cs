using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Pipelines.Generators.Model;
using Pipelines.Generators.Tests.Support;

namespace Pipelines.Generators.Tests;

/// <summary>
/// The generator re-reads (binds) only the classes an edit can affect: an edit in one class's lambda, or in a method
/// body of another file, leaves the other classes' models the very same objects (not re-read) and their outputs
/// cached; an edit to a declaration they bind to re-reads them.
/// </summary>
public sealed class IncrementalTests
{
    private static string PipelineClass(string name, string multiplier) => $$"""
        using Pipelines;

        namespace Demo;

        [StreamingPipeline]
        public static partial class {{name}}
        {
            public static DStream<long> DefineSum(DStream<int> numbers) =>
                numbers.Map(x => x * {{multiplier}}).Filter(x => x % 2 == 0).Map(x => Helper.Widen(x)).Reduce((a, b) => a + b);

            public static DStream<(string Word, int Count)> DefineWords(DStream<string> lines) =>
                lines.FlatMap(line => line.Split(' ')).Map(word => (word, 1)).ReduceByKey((a, b) => a + b);
        }
        """;

    private static string Helper(string returnType, string body) => $$"""
        namespace Demo;

        public static class Helper
        {
            public static {{returnType}} Widen(int x) => x;

            public static int Unrelated(int x)
            {
                {{body}}
            }
        }
        """;

    private static readonly string[] Sources =
    [
        PipelineClass("First", "3"),
        PipelineClass("Second", "5"),
        PipelineClass("Third", "7"),
        Helper("long", "return x + 1;"),
    ];

    [Fact]
    public void An_edit_in_one_lambda_reads_only_that_class_again()
    {
        var (driver, compilation) = RunOnce();
        var edited = Replace(compilation, 1, PipelineClass("Second", "11"));

        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var models = ModelOutputs(result);
        Assert.Equal(IncrementalStepRunReason.Modified, Single(models, "Second").Reason);
        foreach (var name in new[] { "First", "Third" })
        {
            Assert.Equal(IncrementalStepRunReason.Unchanged, Single(models, name).Reason);
            Assert.Same(Single(ModelOutputs(driver.GetRunResult().Results.Single()), name).Value, Single(models, name).Value);
        }

        var plans = result.TrackedSteps[TrackingNames.Plans].SelectMany(s => s.Outputs).ToArray();
        Assert.Equal(2, plans.Count(o => o.Reason == IncrementalStepRunReason.Cached));
        Assert.Equal(1, plans.Count(o => o.Reason == IncrementalStepRunReason.Modified));
        Assert.Contains("x * 11", Generated(result, "Second"));
    }

    [Fact]
    public void An_edit_in_a_method_body_of_another_file_reads_no_class_again()
    {
        var (driver, compilation) = RunOnce();
        var before = ModelOutputs(driver.GetRunResult().Results.Single());
        var edited = Replace(compilation, 3, Helper("long", "var y = x * 2;\n        return y - 1;"));

        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var models = ModelOutputs(result);
        Assert.Equal(3, models.Length);
        foreach (var name in new[] { "First", "Second", "Third" })
        {
            Assert.Equal(IncrementalStepRunReason.Unchanged, Single(models, name).Reason);
            Assert.Same(Single(before, name).Value, Single(models, name).Value);
        }

        Assert.All(result.TrackedSteps[TrackingNames.Plans].SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void A_changed_signature_in_another_file_reads_every_class_again()
    {
        var (driver, compilation) = RunOnce();
        Assert.Contains("long ", Generated(driver.GetRunResult().Results.Single(), "First"));
        var edited = Replace(compilation, 3, Helper("int", "return x + 1;").Replace("public static int Widen(int x) => x;", "public static int Widen(int x) => x;\n    // narrowed"));

        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        // Widen now returns int: the third operator's element type, and with it every class's generated code, changes.
        var models = ModelOutputs(result);
        Assert.All(models, o => Assert.Equal(IncrementalStepRunReason.Modified, o.Reason));
        var fresh = CSharpGeneratorDriverRun(edited);
        foreach (var name in new[] { "First", "Second", "Third" })
        {
            Assert.Equal(Generated(fresh, name), Generated(result, name));
        }
    }

    private static (GeneratorDriver Driver, Microsoft.CodeAnalysis.Compilation Compilation) RunOnce()
    {
        var compilation = GeneratorHarness.Compile(Sources);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        Assert.Equal(3, driver.GetRunResult().Results.Single().GeneratedSources.Length);
        return (driver, compilation);
    }

    /// <summary>The compilation with source <paramref name="index"/> (0-based, after the global usings file) replaced.</summary>
    private static Microsoft.CodeAnalysis.Compilation Replace(Microsoft.CodeAnalysis.Compilation compilation, int index, string text)
    {
        var old = compilation.SyntaxTrees.Single(t => t.FilePath == $"Pipeline{index}.cs");
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(text, (CSharpParseOptions)old.Options, old.FilePath));
    }

    private static GeneratorRunResult CSharpGeneratorDriverRun(Microsoft.CodeAnalysis.Compilation compilation) =>
        GeneratorHarness.CreateDriver().RunGenerators(compilation).GetRunResult().Results.Single();

    private static (object Value, IncrementalStepRunReason Reason)[] ModelOutputs(GeneratorRunResult result) =>
        result.TrackedSteps[TrackingNames.Models].SelectMany(s => s.Outputs).ToArray();

    private static (object Value, IncrementalStepRunReason Reason) Single((object Value, IncrementalStepRunReason Reason)[] outputs, string name) =>
        outputs.Single(o => ((ClassModel)o.Value).Name == name);

    private static string Generated(GeneratorRunResult result, string name) =>
        result.GeneratedSources.Single(s => s.HintName.EndsWith("." + name + ".Pipeline.g.cs", StringComparison.Ordinal)).SourceText.ToString();
}
