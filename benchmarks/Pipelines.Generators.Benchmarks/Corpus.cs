using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Pipelines.Generators.Benchmarks;

/// <summary>
/// A user project with <see cref="ClassCount"/> <c>[StreamingPipeline]</c> classes of three definitions each (one file
/// per class), plus as many ordinary classes: the sources, their compilation, and the two edits the benchmark makes.
/// </summary>
internal static class Corpus
{
    /// <summary>Pipeline classes; each has <see cref="DefinitionsPerClass"/> definitions.</summary>
    public const int ClassCount = 50;

    /// <summary>Definitions per class.</summary>
    public const int DefinitionsPerClass = 3;

    /// <summary>Every definition is compiled against preview C#, as the repository's projects are.</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);

    private static readonly ImmutableArray<MetadataReference> References =
    [
        .. Basic.Reference.Assemblies.Net100.References.All,
        MetadataReference.CreateFromFile(typeof(DStream<>).Assembly.Location),
    ];

    private static readonly CSharpCompilationOptions Options =
        new(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, optimizationLevel: OptimizationLevel.Release);

    /// <summary>(file path, text) of every source file.</summary>
    public static IReadOnlyList<(string Path, string Text)> Sources()
    {
        var sources = new List<(string, string)>
        {
            ("GlobalUsings.cs", "global using System;\nglobal using System.Collections.Generic;\nglobal using System.Linq;\nglobal using Pipelines;\n"),
        };
        for (var i = 0; i < ClassCount; i++)
        {
            sources.Add(($"Pipelines/Pipeline{I(i)}.cs", PipelineClass(i, multiplier: 3)));
            sources.Add(($"Services/Service{I(i)}.cs", ServiceClass(i, version: 0)));
        }

        return sources;
    }

    /// <summary>Parses <paramref name="sources"/> and creates the compilation (no generator).</summary>
    public static CSharpCompilation Compile(IReadOnlyList<(string Path, string Text)> sources) =>
        CSharpCompilation.Create(
            "BenchmarkPipelines",
            sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, ParseOptions, s.Path)),
            References,
            Options);

    /// <summary>The compilation with one ordinary class's method body edited (an IDE keystroke in an unrelated file).</summary>
    public static CSharpCompilation EditUnrelated(CSharpCompilation compilation, int version) =>
        Replace(compilation, "Services/Service007.cs", ServiceClass(7, version));

    /// <summary>The compilation with one lambda of one pipeline class edited (a keystroke in a definition).</summary>
    public static CSharpCompilation EditLambda(CSharpCompilation compilation, int version) =>
        Replace(compilation, "Pipelines/Pipeline007.cs", PipelineClass(7, multiplier: 4 + version));

    private static CSharpCompilation Replace(CSharpCompilation compilation, string path, string text)
    {
        var old = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(text, ParseOptions, path));
    }

    private static string I(int i) => i.ToString("000", CultureInfo.InvariantCulture);

    private static string PipelineClass(int i, int multiplier) => $$"""
        namespace Corpus.Pipelines;

        /// <summary>Pipeline class {{i}}.</summary>
        [StreamingPipeline]
        public static partial class Pipeline{{I(i)}}
        {
            /// <summary>Word count of the words longer than {{i % 7}} characters.</summary>
            public static DStream<(string Word, int Count)> DefineWordCount(DStream<string> lines) =>
                lines.FlatMap(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                     .Filter(word => word.Length > {{i % 7}})
                     .Map(word => (word, 1))
                     .ReduceByKey((a, b) => a + b);

            /// <summary>Map, filter, widen, sum.</summary>
            public static DStream<long> DefineSum(DStream<int> numbers) =>
                numbers.Map(x => x * {{multiplier}})
                       .Filter(x => x % 2 == 0)
                       .Map(x => (long)x + Service{{I(i)}}.Offset)
                       .Reduce((a, b) => a + b);

            /// <summary>Positive values per key, doubled and summed.</summary>
            public static DStream<(int Key, double Total)> DefineTotals(DStream<(int Key, double Value)> pairs)
            {
                const double Factor = {{i}}.5;
                var positive = pairs.Filter(p => p.Value > 0 && int.TryParse(p.Key.ToString(), out var n) && n >= 0);
                return positive.MapValues(v => v * Factor).ReduceByKey((a, b) => a + b);
            }
        }
        """;

    private static string ServiceClass(int i, int version) => $$"""
        namespace Corpus.Pipelines;

        /// <summary>An ordinary class of the project.</summary>
        public sealed class Service{{I(i)}}
        {
            /// <summary>A constant the pipelines read.</summary>
            public const int Offset = {{i}};

            private readonly Dictionary<string, int> _counts = new();

            /// <summary>Counts a word.</summary>
            public int Count(string word)
            {
                _counts.TryGetValue(word, out var count);
                _counts[word] = count + {{version + 1}};
                return _counts.Values.Where(v => v > {{version}}).Sum();
            }
        }
        """;
}
