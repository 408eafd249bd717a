using Microsoft.CodeAnalysis;
using Pipelines.Generators.Tests.Support;

namespace Pipelines.Generators.Tests;

/// <summary>The generator and its analyzer accept definitions that use the Spark-parity API: nothing fails, and what it cannot compile falls back.</summary>
public sealed class ParityGeneratorTests
{
    private const string Source = """
        using System.Linq;
        using Pipelines;

        namespace Demo;

        [StreamingPipeline]
        public static partial class Parity
        {
            public static DStream<int> DefineContextTransform(DStream<int> a, DStream<int> b) =>
                a.Context.Transform(new[] { a, b.Map(x => x + 1) }, (batches, time) => batches.SelectMany(batch => batch)).Map(x => x * 2);

            public static DStream<string> DefineMixedTransform(DStream<int> numbers, DStream<string> words) =>
                numbers.Context.Transform(new DStream[] { numbers, words }, (batches, time) => new[] { batches.Count.ToString() });

            public static DStream<(string Key, int Value)> DefineWindow(DStream<string> words) =>
                words.Map(w => (w, 1)).ReduceByKeyAndWindow((x, y) => x + y, System.TimeSpan.FromSeconds(2), System.TimeSpan.FromSeconds(1), numPartitions: 4);

            public static DStream<(string Key, int State)> DefineState(DStream<string> words) =>
                words.Map(w => (w, 1)).UpdateStateByKey((System.Collections.Generic.IReadOnlyList<int> v, Optional<int> s) => new Optional<int>(s.GetValueOrDefault(0) + v.Count), 3);
        }
        """;

    [Fact]
    public void Definitions_using_the_parity_API_generate_code_that_compiles()
    {
        var (result, diagnostics) = GeneratorHarness.Run(Source);

        var generated = Assert.Single(result.GeneratedSources).SourceText.ToString();
        Assert.Empty(diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Empty(diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning && GeneratorHarness.InGenerated(d)));
        Assert.Empty(result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        foreach (var name in new[] { "CompileContextTransform", "CompileMixedTransform", "CompileWindow", "CompileState" })
        {
            Assert.Contains(name + "(", generated);
        }

        // The numPartitions overloads are handed to the runtime with their arguments as written (the window's per-batch part fused into its stage).
        Assert.Contains("CompiledWindow.ReduceByKeyAndWindow<string, string, int>(words, static () => new CompileWindowReduceByKeyAndWindowStage(), (x, y) => x + y, System.TimeSpan.FromSeconds(2), System.TimeSpan.FromSeconds(1), numPartitions: 4)", generated);
        Assert.Contains(", 3)", generated);
    }

    [Fact]
    public void StreamingContext_Transform_in_a_definition_keeps_the_interpreted_path_with_a_warning_not_an_error()
    {
        var (result, _) = GeneratorHarness.Run(Source);
        var generated = result.GeneratedSources.Single().SourceText.ToString();

        Assert.Contains("return DefineContextTransform(a, b);", generated);
        Assert.Contains("return DefineMixedTransform(numbers, words);", generated);
        Assert.All(result.Diagnostics, d => Assert.NotEqual(DiagnosticSeverity.Error, d.Severity));
        // PIPE102 (a warning): the definition's shape is not compiled, so its Compile method runs it interpreted.
        Assert.Equal(
            ["PIPE102 Warning DefineContextTransform", "PIPE102 Warning DefineMixedTransform"],
            result.Diagnostics.Select(d => $"{d.Id} {d.Severity} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Split('\'')[1]}").Order(StringComparer.Ordinal));
    }
}
