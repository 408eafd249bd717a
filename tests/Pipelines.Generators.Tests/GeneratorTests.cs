using Microsoft.CodeAnalysis;
using Pipelines.Generators.Tests.Support;

namespace Pipelines.Generators.Tests;

/// <summary>Snapshots of the generated source, diagnostics with their locations, and incremental caching.</summary>
public sealed class GeneratorTests
{
    private const string WordCount = """
        using Pipelines;

        namespace Demo;

        [Pipelines.StreamingPipeline]
        public static partial class WordCount
        {
            public static Pipelines.DStream<(string Word, int Count)> Define(Pipelines.DStream<string> lines) =>
                lines.FlatMap(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                     .Map(word => (word, 1))
                     .ReduceByKey((a, b) => a + b);
        }
        """;

    private const string MapFilterReduce = """
        using Pipelines;

        namespace Demo;

        [StreamingPipeline]
        public static partial class Totals
        {
            private const int Limit = 100;

            public static DStream<(int Key, long Total)> DefineTotals(DStream<int> numbers)
            {
                const int Buckets = 10; // a local constant is inlined as its value
                return numbers.Map(n => (n % Buckets, (long)n))
                              .Filter(pair => pair.Item2 < Limit)
                              .ReduceByKey((a, b) => a + b)
                              .Filter(total => total.Value > 0);
            }
        }
        """;

    private const string Join = """
        using Pipelines;

        namespace Demo;

        [StreamingPipeline]
        public static partial class Orders
        {
            public static DStream<(int Customer, (decimal Amount, Optional<string> Name) Value)> Define(
                DStream<(int Customer, decimal Amount)> orders, DStream<(int Customer, string Name)> customers) =>
                orders.Filter(order => order.Amount > 0m)
                      .LeftOuterJoin(customers.MapValues(name =>
                      {
                          var trimmed = name.Trim();
                          return trimmed.Length == 0 ? "?" : trimmed;
                      }));
        }
        """;

    private const string Fallback = """
        using Pipelines;

        namespace Demo;

        [StreamingPipeline]
        public static partial class Mixed
        {
            public static DStream<int> DefineCheckpointed(DStream<int> numbers) =>
                numbers.Map(n => n + 1).Checkpoint(TimeSpan.FromSeconds(4));

            public static DStream<int> DefineMethodGroup(DStream<int> numbers) =>
                numbers.Map(Twice).Filter(IsEven);

            public static DStream<int> DefineDelegateField(DStream<int> numbers) =>
                numbers.Map(Halve);

            public static DStream<int> DefineCapture(DStream<int> numbers, DStream<int> other) =>
                numbers.Map(n => n + other.Name.Length);

            public static DStream<int> DefineStatements(DStream<int> numbers)
            {
                var doubled = numbers.Map(n => n * 2);
                Console.WriteLine();
                return doubled;
            }

            public static DStream<int> DefineNonStreamLocal(DStream<int> numbers)
            {
                var factor = 2;
                return numbers.Map(n => n * 2).Filter(n => n != factor);
            }

            public static DStream<T> DefineGeneric<T>(DStream<T> items) => items;

            private static readonly Func<int, int> Halve = n => n / 2;

            private static int Twice(int n) => 2 * n;

            private static bool IsEven(int n) => n % 2 == 0;
        }
        """;

    private const string Composed = """
        using Pipelines;

        namespace Demo;

        [StreamingPipeline]
        public static partial class Composed
        {
            public static DStream<string> DefineAfterWindow(DStream<string> lines) =>
                lines.Map(line => (line, 1))
                     .ReduceByKeyAndWindow((a, b) => a + b, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10))
                     .Filter(p => p.Value > 1)
                     .Map(p => p.Key + "=" + p.Value);

            public static DStream<(int Key, int State)> DefineSnapshots(DStream<(int Key, int Value)> pairs) =>
                pairs.MapWithState(StateSpec.Function((int key, Optional<int> value, State<int> state) =>
                     {
                         state.Update(value.GetValueOrDefault(0));
                         return key;
                     }))
                     .StateSnapshots();

            public static DStream<int> DefineUnion(DStream<int> a, DStream<int> b, DStream<int> c) =>
                a.Map(x => x + 1).Union(b).Union(c.Filter(x => x > 0)).Map(x => x * 2);

            public static DStream<int> DefineWholeBatches(DStream<int> numbers) =>
                numbers.Filter(n => n > 0)
                       .Transform(batch => batch.Take(2))
                       .Glom()
                       .Map(partition => partition.Length)
                       .MapBatch(items => items.Reverse())
                       .Repartition(2)
                       .Map(n => n + 1);

            public static DStream<(int Key, ((int Left, int Right) Value, int Right) Value)> DefineJoins(
                DStream<(int Key, int Value)> a, DStream<(int Key, int Value)> b, DStream<(int Key, int Value)> c) =>
                a.Join(b).Join(c);

            public static DStream<(string Word, int Count)> DefineLocals(DStream<string> lines)
            {
                const int Minimum = 2;
                var words = lines.FlatMap(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
                var counts = words.Map(word => (word, 1)).ReduceByKey((x, y) => x + y);
                return counts.Filter(p => p.Value >= Minimum);
            }
        }
        """;

    private const string WindowedCount = """
        using Pipelines;

        namespace Demo;

        [StreamingPipeline]
        public static partial class TrendingWords
        {
            public static DStream<(string Word, int Count)> Define(DStream<string> lines)
            {
                const int WindowSeconds = 30;
                return lines.FlatMap(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                            .Map(word => (word, 1))
                            .ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, TimeSpan.FromSeconds(WindowSeconds), TimeSpan.FromSeconds(10), filter: p => p.Value != 0);
            }
        }
        """;

    private const string WindowShapes = """
        using Pipelines;

        namespace Demo;

        [StreamingPipeline]
        public static partial class WindowShapes
        {
            public static DStream<(int Key, int Total)> DefineRecomputed(DStream<int> numbers) =>
                numbers.Filter(n => n > 0).Map(n => (n % 10, n)).ReduceByKeyAndWindow((a, b) => a + b, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(2));

            public static DStream<(string Value, long Count)> DefineCountByValue(DStream<string> lines) =>
                lines.FlatMap(line => line.Split(',')).CountByValueAndWindow(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1));

            public static DStream<int> DefineReduceByWindow(DStream<int> numbers) =>
                numbers.Map(n => n * 2).ReduceByWindow((a, b) => a + b, (a, b) => a - b, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1));

            public static DStream<long> DefineCountByWindow(DStream<int> numbers) =>
                numbers.Filter(n => n % 2 == 0).CountByWindow(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1));
        }
        """;

    private const string SessionCount = """
        using Pipelines;

        namespace Demo;

        [StreamingPipeline]
        public static partial class Sessions
        {
            public static DStream<(string User, int Clicks)> Define(DStream<(string User, string Page)> clicks) =>
                clicks.Filter(click => !click.Page.StartsWith("/static/", StringComparison.Ordinal))
                      .MapValues(page => 1)
                      .UpdateStateByKey((IReadOnlyList<int> pages, Optional<int> total) => new Optional<int>(total.GetValueOrDefault(0) + pages.Count));

            public static DStream<(string User, int Clicks)> DefineAfterState(DStream<(string User, string Page)> clicks) =>
                clicks.MapValues(page => 1)
                      .UpdateStateByKey((IReadOnlyList<int> pages, Optional<int> total) => new Optional<int>(total.GetValueOrDefault(0) + pages.Count))
                      .Filter(user => user.State > 10);
        }
        """;

    [Fact]
    public void Word_count_snapshot() => VerifySnapshot(WordCount);

    [Fact]
    public void Windowed_count_snapshot() => VerifySnapshot(WindowedCount);

    [Fact]
    public void Fused_window_shapes_snapshot() => VerifySnapshot(WindowShapes);

    [Fact]
    public void Stateful_session_count_snapshot() => VerifySnapshot(SessionCount, allowDiagnostics: true);

    [Fact]
    public void An_operator_after_a_stateful_operator_is_compiled_in_a_stage_of_its_own()
    {
        var (result, diagnostics) = GeneratorHarness.Run(SessionCount);

        Assert.Empty(result.Diagnostics);
        var generated = result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("var updateStateByKey = fused.UpdateStateByKey(", generated, StringComparison.Ordinal);
        Assert.Contains("return global::Pipelines.Compilation.CompiledStream.CreatePartitioned(updateStateByKey, \"Sessions.CompileAfterState#2\", new CompileAfterStateStage2(), static () => new CompileAfterStateStage2());", generated, StringComparison.Ordinal);
        Assert.DoesNotContain("Runs interpreted", generated, StringComparison.Ordinal);
        Assert.Empty(diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void PIPE101_after_a_stateful_operator_names_the_operator_that_is_not_compiled()
    {
        var source = SessionCount.Replace(".Filter(user => user.State > 10);", ".Checkpoint(TimeSpan.FromSeconds(10));");
        Assert.NotEqual(SessionCount, source);

        var (result, diagnostics) = GeneratorHarness.Run(source);

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("PIPE101", diagnostic.Id);
        Assert.Equal("Checkpoint(TimeSpan.FromSeconds(10))", source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.StartsWith("'Checkpoint' is not compiled", diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("return DefineAfterState(clicks);", result.GeneratedSources.Single().SourceText.ToString(), StringComparison.Ordinal);
        Assert.Empty(diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void A_single_windowed_operator_is_handed_to_the_runtime_without_an_empty_fallback_reason()
    {
        const string source = """
            using Pipelines;

            namespace Demo;

            [StreamingPipeline]
            public static partial class Windows
            {
                public static DStream<int> Define(DStream<int> numbers) => numbers.Window(TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(2));
            }
            """;

        var (result, diagnostics) = GeneratorHarness.Run(source);

        Assert.Empty(result.Diagnostics);
        var generated = result.GeneratedSources.Single().SourceText.ToString();
        Assert.DoesNotContain("Runs interpreted", generated, StringComparison.Ordinal);
        Assert.Contains("/// <para>Nothing to fuse: the runtime's <c>Window</c> runs with the arguments as written.</para>", generated, StringComparison.Ordinal);
        Assert.Contains("return numbers.Window(TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(2));", generated, StringComparison.Ordinal);
        Assert.Empty(diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error || (d.Severity == DiagnosticSeverity.Warning && GeneratorHarness.InGenerated(d))));
    }

    [Fact]
    public void Composed_snapshot() => VerifySnapshot(Composed);

    [Fact]
    public void Map_filter_reduce_snapshot() => VerifySnapshot(MapFilterReduce);

    [Fact]
    public void Join_snapshot() => VerifySnapshot(Join);

    [Fact]
    public void Fallback_snapshot() => VerifySnapshot(Fallback, allowDiagnostics: true);

    [Fact]
    public void Generated_code_compiles_without_warnings_under_nullable_and_warnings_as_errors()
    {
        var (result, diagnostics) = GeneratorHarness.Run(WordCount, MapFilterReduce, Join, WindowedCount, SessionCount.Replace("DefineAfterState", "Other"));
        Assert.Equal(5, result.GeneratedSources.Length);
        Assert.Empty(diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning && GeneratorHarness.InGenerated(d)));
        Assert.Empty(diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void Unusual_lambdas_and_names_still_give_code_that_compiles()
    {
        const string source = """
            using Pipelines;

            namespace Demo;

            file record Point(int X);

            [StreamingPipeline]
            public static partial class Edges
            {
                public static DStream<int> DefineThrow(DStream<int> numbers) =>
                    numbers.Map<int>(n => throw new InvalidOperationException("no " + n));

                public static DStream<(int Key, int Value)> DefineDiscards(DStream<(int Key, int Value)> pairs) =>
                    pairs.ReduceByKey((_, _) =>
                    {
                        return 0;
                    });

                public static DStream<int> DefineKeywords(DStream<int> @event) =>
                    @event.Map(@int => @int + 1).Filter(@class => @class > 0);

                public static DStream<int> DefineFileLocal(DStream<int> numbers) =>
                    numbers.Map(n => new Point(n).X);
            }
            """;

        var (result, diagnostics) = GeneratorHarness.Run(source);

        Assert.Empty(diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("PIPE101", diagnostic.Id);
        Assert.Contains("file-local type 'Point'", diagnostic.GetMessage(), StringComparison.Ordinal);
        var generated = result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("CompileKeywords(global::Pipelines.DStream<int> @event)", generated);
        Assert.Contains("throw new InvalidOperationException(\"no \" + n);", generated);
    }

    [Fact]
    public void A_class_that_is_not_partial_is_left_to_the_analyzers_PIPE001()
    {
        var notPartial = WordCount.Replace("public static partial class WordCount", "public static class WordCount");
        Assert.NotEqual(WordCount, notPartial);

        var (result, _) = GeneratorHarness.Run(notPartial);

        Assert.Empty(result.Diagnostics);
        Assert.Empty(result.GeneratedSources);
    }

    [Fact]
    public void Pipeline_classes_of_the_same_name_in_different_namespaces_get_distinct_files()
    {
        var (result, diagnostics) = GeneratorHarness.Run(WordCount, WordCount.Replace("namespace Demo;", "namespace Other;"));

        Assert.Equal(["Demo.WordCount.Pipeline.g.cs", "Other.WordCount.Pipeline.g.cs"], result.GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal));
        Assert.Null(result.Exception);
        Assert.Empty(diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning && GeneratorHarness.InGenerated(d)));
    }

    [Fact]
    public void Unsupported_operators_and_shapes_are_reported_where_they_are()
    {
        var (result, _) = GeneratorHarness.Run(Fallback);
        var reported = result.Diagnostics
            .Select(d => $"{d.Id} {d.Severity} {d.Location.GetLineSpan().Path} {Fallback.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length)}")
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(
            [
                "PIPE101 Warning Pipeline0.cs Checkpoint(TimeSpan.FromSeconds(4))",
                "PIPE101 Warning Pipeline0.cs Halve",
                "PIPE102 Warning Pipeline0.cs DefineGeneric",
                "PIPE102 Warning Pipeline0.cs DefineStatements",
                "PIPE102 Warning Pipeline0.cs factor = 2",
            ],
            reported);
        Assert.All(result.Diagnostics, d => Assert.StartsWith("https://github.com/pipelines/pipelines/blob/main/docs/diagnostics/PIPE10", d.Descriptor.HelpLinkUri));
    }

    [Fact]
    public void A_capturing_lambda_falls_back_without_a_generator_diagnostic()
    {
        var (result, diagnostics) = GeneratorHarness.Run(Fallback);
        var source = result.GeneratedSources.Single().SourceText.ToString();

        Assert.DoesNotContain(result.Diagnostics, d => d.GetMessage().Contains("DefineCapture", StringComparison.Ordinal));
        Assert.Contains("CompileCapture(global::Pipelines.DStream<int> numbers, global::Pipelines.DStream<int> other)", source);
        Assert.Contains("numbers.Context.RegisterPipeline(\"Mixed.DefineCapture\", DefineCaptureFingerprint);", source);
        Assert.Contains("return DefineCapture(numbers, other);", source);
        Assert.DoesNotContain("CompileGeneric", source);
        Assert.Empty(diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void Fingerprint_ignores_whitespace_and_comments_but_not_code()
    {
        var spaced = WordCount.Replace("lines.FlatMap(", "lines /* the input */ .FlatMap(\n   ");
        var changed = WordCount.Replace("a + b", "a + b + 0");

        Assert.Equal(Fingerprint(WordCount), Fingerprint(spaced));
        Assert.NotEqual(Fingerprint(WordCount), Fingerprint(changed));
        Assert.Matches("^[0-9a-f]{16}$", Fingerprint(WordCount));

        static string Fingerprint(string source)
        {
            var text = GeneratorHarness.Run(source).Result.GeneratedSources.Single().SourceText.ToString();
            var start = text.IndexOf("DefineFingerprint = \"", StringComparison.Ordinal) + "DefineFingerprint = \"".Length;
            return text.Substring(start, 16);
        }
    }

    [Fact]
    public void An_unrelated_edit_leaves_every_step_cached()
    {
        var compilation = GeneratorHarness.Compile(WordCount, "namespace Other; public static class Helper { public static int One => 1; }");
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.Last(),
            Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(
                "namespace Other; public static class Helper { public static int Two => 2; }",
                (Microsoft.CodeAnalysis.CSharp.CSharpParseOptions)compilation.SyntaxTrees.Last().Options,
                compilation.SyntaxTrees.Last().FilePath));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (var name in new[] { TrackingNames.Models, TrackingNames.Plans })
        {
            var outputs = result.TrackedSteps[name].SelectMany(step => step.Outputs).ToArray();
            Assert.NotEmpty(outputs);
            Assert.All(outputs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{name}: {o.Reason}"));
        }

        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(step => step.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void Editing_the_definition_reruns_the_steps()
    {
        var compilation = GeneratorHarness.Compile(WordCount);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.Last();
        var edited = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(WordCount.Replace("a + b", "b + a"))));

        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.Contains(result.TrackedSteps[TrackingNames.Plans].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
    }

    internal static void VerifySnapshot(string source, bool allowDiagnostics = false, [System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        var (result, diagnostics) = GeneratorHarness.Run(source);
        Assert.Empty(diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        if (!allowDiagnostics)
        {
            Assert.Empty(result.Diagnostics);
        }

        Assert.Empty(diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning && GeneratorHarness.InGenerated(d)));
        var generated = Assert.Single(result.GeneratedSources);
        Snapshot.Verify(generated.SourceText.ToString(), generated.HintName, test);
    }
}
