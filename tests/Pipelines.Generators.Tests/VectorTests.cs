using System.Globalization;
using System.Numerics;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Pipelines.Generators.Model;
using Pipelines.Generators.Parsing;
using Pipelines.Generators.Planning;
using Pipelines.Generators.Tests.Support;
using Pipelines.Testing;

namespace Pipelines.Generators.Tests;

/// <summary>
/// SIMD loops for arithmetic Map/Filter chains over primitives ending in a sum or a count: what the planner
/// accepts and refuses (alone, on parsed definitions), the emitted code (snapshot), and random chains whose
/// compiled outputs must equal the interpreted ones bit for bit, on edge values, odd lengths and 1/2/8 partitions.
/// </summary>
public sealed class VectorTests
{
    private const string W1 = """
        using Pipelines;

        namespace Demo;

        [StreamingPipeline]
        public static partial class Vectors
        {
            public static DStream<long> DefineSum(DStream<int> numbers) =>
                numbers.Map(x => x * 3)
                       .Filter(x => x % 2 == 0)
                       .Map(x => (long)x)
                       .Reduce((a, b) => a + b);

            public static DStream<double> DefineScaled(DStream<double> readings) =>
                readings.Map(r => r * 0.5 - 1)
                        .Filter(r => r > 0 || r + 0 != r)
                        .Reduce((a, b) => a + b);

            public static DStream<long> DefineCount(DStream<long> ids) =>
                ids.Filter(id => id % 8 != 0 && (int)id >= 0).Count();
        }
        """;

    [Fact]
    public void Map_filter_widen_sum_over_ints_plans_int_lanes_with_a_low_bits_mask()
    {
        var plan = PlanOf(W1, "DefineSum");

        Assert.NotNull(plan);
        Assert.Equal("int", plan.SourceType);
        Assert.Equal("int", plan.LaneType);
        Assert.Equal(VectorTerminal.Sum, plan.Terminal);
        Assert.Equal("long", plan.ResultType);
        Assert.Equal([VectorStepKind.Map, VectorStepKind.Filter, VectorStepKind.Map], plan.Steps.Select(s => s.Kind));
        Assert.Equal(VectorOp.LowBitsZero, plan.Steps[1].Body.Op);
        Assert.Equal("1", plan.Steps[1].Body.Text);
        Assert.Equal(VectorOp.Convert, plan.Steps[2].Body.Op);
        Assert.Equal("long", plan.Steps[2].Body.Type);
    }

    [Fact]
    public void A_count_over_longs_narrowed_to_ints_plans_int_lanes()
    {
        var plan = PlanOf(W1, "DefineCount");

        Assert.NotNull(plan);
        Assert.Equal(VectorTerminal.Count, plan.Terminal);
        Assert.Equal("int", plan.LaneType); // (int)id narrows, so a step covers Vector<int>.Count longs (two vectors)
        Assert.Equal(VectorOp.LogicalAnd, plan.Steps.Single().Body.Op);
    }

    [Theory]
    [InlineData("numbers.Map(x => x / 2).Reduce((a, b) => a + b)", "int", "integer division traps on zero, and vector lanes compute dropped records too")]
    [InlineData("numbers.Filter(x => x % 3 == 0).Count()", "long", "only a power-of-two remainder compared with 0 is a mask")]
    [InlineData("numbers.Map(x => Math.Abs(x)).Reduce((a, b) => a + b)", "int", "method calls are refused")]
    [InlineData("numbers.Map(x => { return x + 1; }).Reduce((a, b) => a + b)", "int", "block lambdas are refused")]
    [InlineData("numbers.Reduce((a, b) => a * b)", "int", "only a sum folds lanes")]
    [InlineData("numbers.Map(x => checked(x * 3)).Reduce((a, b) => a + b)", "int", "a checked multiplication throws on overflow; lanes wrap")]
    [InlineData("numbers.Map(x => (long)x).Map(x => (double)x).Reduce((a, b) => a + b)", "double", "long to double is not converted on lanes")]
    [InlineData("numbers.Map(x => x * 0.5).Map(x => (int)x).Reduce((a, b) => a + b)", "int", "double to int saturates differently on lanes")]
    [InlineData("numbers.Map(x => x + Offset).Reduce((a, b) => a + b)", "int", "fields are refused")]
    [InlineData("numbers.FlatMap(x => new[] { x }).Reduce((a, b) => a + b)", "int", "only Map and Filter run on lanes")]
    public void The_planner_refuses_what_lanes_would_not_compute_exactly(string chain, string outputType, string why)
    {
        var source = $$"""
            using Pipelines;

            namespace Demo;

            [StreamingPipeline]
            public static partial class Refused
            {
                public const int Offset = 3;

                public static DStream<{{outputType}}> Define(DStream<int> numbers) => {{chain}};
            }
            """;

        Assert.True(PlanOf(source, "Define") is null, why);
    }

    [Fact]
    public void A_project_that_checks_overflow_keeps_the_scalar_loop()
    {
        var compilation = GeneratorHarness.Compile(W1);
        var model = Parse(compilation.WithOptions(compilation.Options.WithOverflowChecks(true)));
        var definition = model.Definitions.Single(d => d.Name == "DefineSum");

        Assert.True(definition.OverflowChecked);
        Assert.Null(VectorPlanner.Plan(definition, definition.Root));
        Assert.NotNull(PlanOf(W1, "DefineSum"));
    }

    [Fact]
    public void Vectorized_sums_and_counts_snapshot()
    {
        var (result, diagnostics) = GeneratorHarness.Run(W1);
        Assert.Empty(diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Empty(result.Diagnostics);
        Assert.Empty(diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning && GeneratorHarness.InGenerated(d)));
        var generated = Assert.Single(result.GeneratedSources);
        Snapshot.Verify(generated.SourceText.ToString(), generated.HintName, nameof(Vectorized_sums_and_counts_snapshot));
    }

    private const int ChainsPerType = 12;

    /// <summary>Operators by element type: the code to append and the element type it produces.</summary>
    private static readonly Dictionary<string, (string Code, string Type)[]> Operators = new()
    {
        ["int"] =
        [
            (".Map(x => x * 3 + 1)", "int"),
            (".Map(x => x * x - 7)", "int"),
            (".Map(x => -x)", "int"),
            (".Map(x => x ^ (x >> 3))", "int"),
            (".Map(x => (x << 5) | (x >>> 29))", "int"),
            (".Map(x => ~x & 0xFFFF)", "int"),
            (".Filter(x => x % 2 == 0)", "int"),
            (".Filter(x => x % 4 != 0)", "int"),
            (".Filter(x => x > -1000 && x < 100000)", "int"),
            (".Filter(x => !(x == 3) || x > int.MaxValue - 5)", "int"),
            (".Map(x => (long)x * 1000003)", "long"),
            (".Map(x => x * 0.5)", "double"),
            (".Map(x => (float)x)", "float"),
        ],
        ["long"] =
        [
            (".Map(x => x * 31 + 7)", "long"),
            (".Map(x => x >> 2)", "long"),
            (".Map(x => x ^ long.MinValue)", "long"),
            (".Filter(x => x % 8 == 0)", "long"),
            (".Filter(x => x >= 0)", "long"),
            (".Filter(x => x != long.MaxValue)", "long"),
            (".Map(x => (int)x)", "int"),
        ],
        ["double"] =
        [
            (".Map(x => x * 1.5 - 2)", "double"),
            (".Map(x => x / 3)", "double"),
            (".Map(x => -x)", "double"),
            (".Filter(x => x > 0.25)", "double"),
            (".Filter(x => x + 0 != x || x < 10)", "double"),
            (".Filter(x => !(x >= 0))", "double"),
            (".Map(x => (float)x)", "float"),
        ],
        ["float"] =
        [
            (".Map(x => x * 2.5f)", "float"),
            (".Map(x => x - 0.1f)", "float"),
            (".Filter(x => x <= 100f)", "float"),
            (".Filter(x => x == 0)", "float"),
            (".Map(x => (double)x)", "double"),
        ],
    };

    [Theory]
    [InlineData("int", 1)]
    [InlineData("long", 2)]
    [InlineData("float", 3)]
    [InlineData("double", 4)]
    public void Random_primitive_chains_on_lanes_equal_the_interpreted_definition(string sourceType, int seed)
    {
        Assert.True(Vector.IsHardwareAccelerated, "this machine would not run the vector path, so the test would prove nothing");
        var random = new Random(20261203 + seed);
        var source = new StringBuilder("""
            using Pipelines;

            namespace VectorChains;

            [StreamingPipeline]
            public static partial class Chains
            {

            """);
        var chains = new List<(string Chain, string OutputType)>();
        for (var c = 0; c < ChainsPerType; c++)
        {
            var chain = new StringBuilder("numbers");
            var type = sourceType;
            for (var i = random.Next(0, 5); i > 0; i--)
            {
                var (code, next) = Operators[type][random.Next(Operators[type].Length)];
                chain.Append(code);
                type = next;
            }

            var terminal = random.Next(3);
            chain.Append(terminal switch { 0 => ".Count()", 1 => ".Reduce((a, b) => a + b)", _ => ".Reduce((a, b) => b + a)" });
            var output = terminal == 0 ? "long" : type;
            chains.Add((chain.ToString(), output));
            source.Append(CultureInfo.InvariantCulture, $"    public static DStream<{output}> Define{c}(DStream<{sourceType}> numbers) =>\n        {chain};\n\n");
        }

        source.Append("}\n");
        var (assembly, generated) = CompileAndLoad(source.ToString());
        Assert.Equal(ChainsPerType, CountOf(generated, "global::System.Numerics.Vector.IsHardwareAccelerated"));
        var pipelines = assembly.GetType("VectorChains.Chains")!;
        var check = typeof(VectorTests).GetMethod(nameof(CheckChains), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(SourceClrType(sourceType));
        check.Invoke(null, [pipelines, chains, random]);
    }

    private static void CheckChains<T>(Type pipelines, List<(string Chain, string OutputType)> chains, Random random)
    {
        var input = EdgeBatches<T>(random);
        foreach (var partitions in new[] { 1, 2, 8 })
        {
            var largest = input.Max(b => b.Length);
            var options = new StreamingOptions { InputPartitionRecords = Math.Max(1, (largest + partitions - 1) / partitions) };
            for (var c = 0; c < chains.Count; c++)
            {
                var define = pipelines.GetMethod($"Define{c}")!;
                var compile = pipelines.GetMethod($"Compile{c}")!;
                var outputType = define.ReturnType.GetGenericArguments()[0];
                var run = typeof(VectorTests).GetMethod(nameof(RunBoth), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(typeof(T), outputType);
                run.Invoke(null, [define, compile, input, options, $"chain {c} ({chains[c].Chain}) with {partitions} partition(s)"]);
            }
        }
    }

    private static void RunBoth<TIn, TOut>(MethodInfo define, MethodInfo compile, TIn[][] input, StreamingOptions options, string what)
    {
        var expected = Run(input, define.CreateDelegate<Func<DStream<TIn>, DStream<TOut>>>(), options);
        var actual = Run(input, compile.CreateDelegate<Func<DStream<TIn>, DStream<TOut>>>(), options);
        Assert.True(expected.Count > 0, "no output: " + what);
        Assert.True(expected.SequenceEqual(actual), $"{what}: expected {string.Join(" | ", expected)}, compiled gave {string.Join(" | ", actual)}");
    }

    /// <summary>Each batch's records as exact text: doubles and floats by their bits (so -0.0 differs from 0.0), NaN as one token.</summary>
    private static List<string> Run<TIn, TOut>(TIn[][] input, Func<DStream<TIn>, DStream<TOut>> operation, StreamingOptions options)
    {
        using var run = StreamingTest.Start(input, operation, options: options);
        return run.RunToList(input.Length + 1).Select(batch => string.Join(",", batch.Select(Exact))).ToList();
    }

    private static string Exact<T>(T value) => value switch
    {
        double d when double.IsNaN(d) => "NaN",
        float f when float.IsNaN(f) => "NaN",
        double d => BitConverter.DoubleToInt64Bits(d).ToString("X16", CultureInfo.InvariantCulture),
        float f => BitConverter.SingleToInt32Bits(f).ToString("X8", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    /// <summary>Batches of lengths that are mostly not multiples of a vector, mixing edge values with random ones.</summary>
    private static T[][] EdgeBatches<T>(Random random)
    {
        object[] edges = typeof(T) == typeof(int) ? [int.MaxValue, int.MinValue, 0, -1, 1, int.MaxValue - 1, 2, -2]
            : typeof(T) == typeof(long) ? [long.MaxValue, long.MinValue, 0L, -1L, 1L, (long)int.MaxValue + 1, 8L, -8L]
            : typeof(T) == typeof(double) ? [double.NaN, -0.0, 0.0, double.PositiveInfinity, double.NegativeInfinity, double.MaxValue, double.Epsilon, -double.Epsilon, 0.1]
            : [float.NaN, -0.0f, 0.0f, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, float.Epsilon, 0.1f, -0.0f];
        T Next() => random.Next(4) == 0
            ? (T)edges[random.Next(edges.Length)]
            : typeof(T) == typeof(int) ? (T)(object)random.Next(-5000, 5000)
            : typeof(T) == typeof(long) ? (T)(object)random.NextInt64(-1_000_000_000_000, 1_000_000_000_000)
            : typeof(T) == typeof(double) ? (T)(object)((random.NextDouble() - 0.3) * 1000)
            : (T)(object)(float)((random.NextDouble() - 0.3) * 1000);
        int[] lengths = [0, 1, 7, 8, 9, 15, 17, 31, 33, 63, 1003, random.Next(40, 200)];
        return lengths.Select(n => Enumerable.Range(0, n).Select(_ => Next()).ToArray()).ToArray();
    }

    private static Type SourceClrType(string type) => type switch
    {
        "int" => typeof(int),
        "long" => typeof(long),
        "float" => typeof(float),
        _ => typeof(double),
    };

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static (Assembly Assembly, string Generated) CompileAndLoad(string source)
    {
        var compilation = GeneratorHarness.Compile(source);
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        Assert.Empty(generatorDiagnostics);
        var generated = output.SyntaxTrees.Last().ToString();
        using var stream = new MemoryStream();
        var emitted = output.Emit(stream);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        Assert.Empty(emitted.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning && GeneratorHarness.InGenerated(d)));
        return (Assembly.Load(stream.ToArray()), generated);
    }

    private static VectorPlan? PlanOf(string source, string definitionName)
    {
        var definition = Parse(GeneratorHarness.Compile(source)).Definitions.Single(d => d.Name == definitionName);
        Assert.Null(definition.FallbackReason);
        return VectorPlanner.Plan(definition, definition.Root);
    }

    private static ClassModel Parse(CSharpCompilation compilation)
    {
        var tree = compilation.SyntaxTrees.Last();
        var declaration = tree.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>().Single();
        var model = compilation.GetSemanticModel(tree);
        var symbol = model.GetDeclaredSymbol(declaration)!;
        var constructor = typeof(GeneratorAttributeSyntaxContext).GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance).Single();
        var context = (GeneratorAttributeSyntaxContext)constructor.Invoke([declaration, symbol, model, symbol.GetAttributes()]);
        return Parser.Parse(context, CancellationToken.None);
    }
}
