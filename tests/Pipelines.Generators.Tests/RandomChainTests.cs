using System.Reflection;
using System.Text;
using CsCheck;
using Microsoft.CodeAnalysis;
using Pipelines.Generators.Tests.Support;
using Pipelines.Testing;

namespace Pipelines.Generators.Tests;

/// <summary>
/// Random operator chains (fixed seed) written as a pipeline class, compiled by the generator at test time,
/// loaded, and run through <c>Compile…</c> and <c>Define…</c> on random batches: outputs must be equal.
/// </summary>
public sealed class RandomChainTests
{
    private const int Chains = 40;
    private static readonly string Seed = new PCG(11, 20261125).ToString();

    /// <summary>Operators on a stream of int: the text to append and the element kind they produce.</summary>
    private static readonly (string Code, bool ToPairs)[] IntOperators =
    [
        (".Map(x => x * 3 + 1)", false),
        (".Map(x => x % 5 - 2)", false),
        (".Filter(x => x % 3 != 0)", false),
        (".FlatMap(x => new[] { x, x / 2 })", false),
        (".Reduce((a, b) => a + b)", false),
        (".Count().Map(c => (int)c)", false),
        (".Map(x => (x % 4, x))", true),
        (".CountByValue().Map(p => (p.Value, (int)p.Count))", true),
        (".Filter(x =>\n        {\n            var r = x % 2;\n            return r == 0;\n        })", false),
    ];

    /// <summary>Operators on a stream of (int, int) pairs.</summary>
    private static readonly (string Code, bool ToPairs)[] PairOperators =
    [
        (".MapValues(v => v + 1)", true),
        (".FlatMapValues(v => new[] { v, -v })", true),
        (".ReduceByKey((a, b) => a + b)", true),
        (".Filter(p => p.Item2 > 0)", true),
        (".GroupByKey().Map(g => (g.Key, g.Values.Count))", true),
        (".CombineByKey(v => v, (c, v) => c * 2 + v, (c1, c2) => c1 - c2)", true),
        (".Map(p => p.Item1 * 100 + p.Item2)", false),
        (".Join(numbers.Map(x => (x % 4, x * 10)))", false),
    ];

    [Fact]
    public void Random_chains_compile_to_the_same_outputs_as_interpreted()
    {
        var random = new Random(20261125);
        var source = new StringBuilder("""
            using Pipelines;

            namespace RandomChains;

            [StreamingPipeline]
            public static partial class Chains
            {

            """);
        var chains = new List<string>();
        for (var c = 0; c < Chains; c++)
        {
            var chain = new StringBuilder("numbers");
            var pairs = false;
            var length = random.Next(1, 7);
            for (var i = 0; i < length; i++)
            {
                var (code, toPairs) = pairs ? PairOperators[random.Next(PairOperators.Length)] : IntOperators[random.Next(IntOperators.Length)];
                if (code.StartsWith(".Join", StringComparison.Ordinal))
                {
                    code = ".Join(numbers.Map(x => (x % 4, x * 10))).Map(p => p.Value.Left + p.Value.Right)";
                }

                chain.Append(code);
                pairs = toPairs;
            }

            if (pairs && random.Next(3) == 0)
            {
                // End with a windowed reduction: the chain before it is fused, the runtime windows it.
                chain.Append(".ReduceByKeyAndWindow((a, b) => a + b, TimeSpan.FromSeconds(2))");
                chains.Add(chain.ToString());
                source.Append($"    public static DStream<(int, int)> Define{c}(DStream<int> numbers) =>\n        {chain};\n\n");
                continue;
            }

            if (pairs)
            {
                chain.Append(".Map(p => p.Item1 * 1000 + p.Item2)");
            }

            chains.Add(chain.ToString());
            source.Append($"    public static DStream<int> Define{c}(DStream<int> numbers) =>\n        {chain};\n\n");
        }

        source.Append("}\n");
        var type = CompileAndLoad(source.ToString()).GetType("RandomChains.Chains")!;

        var input = Gen.Int[-30, 30].Array[0, 10].Array[1, 4];
        var windowed = 0;
        for (var c = 0; c < Chains; c++)
        {
            var chain = chains[c];
            var defineMethod = type.GetMethod($"Define{c}")!;
            var compileMethod = type.GetMethod($"Compile{c}")!;
            if (defineMethod.ReturnType == typeof(DStream<int>))
            {
                Check(input, defineMethod.CreateDelegate<Func<DStream<int>, DStream<int>>>(), compileMethod.CreateDelegate<Func<DStream<int>, DStream<int>>>(), c, chain);
            }
            else
            {
                windowed++;
                Check(input, defineMethod.CreateDelegate<Func<DStream<int>, DStream<(int, int)>>>(), compileMethod.CreateDelegate<Func<DStream<int>, DStream<(int, int)>>>(), c, chain);
            }
        }

        Assert.InRange(windowed, 1, Chains - 1); // both kinds of chain were generated
    }

    private static void Check<T>(Gen<int[][]> input, Func<DStream<int>, DStream<T>> define, Func<DStream<int>, DStream<T>> compile, int index, string chain) =>
        input.Sample(
            batches =>
            {
                var expected = StreamingTest.Run(batches, define, 5);
                var actual = StreamingTest.Run(batches, compile, 5);
                Assert.True(
                    expected.Count == actual.Count && Records.Multisets(expected).Zip(Records.Multisets(actual)).All(p => p.First.SequenceEqual(p.Second)),
                    $"Chain {index} differs: {chain}");
                if (new StreamingOptions().Parallelism == 1)
                {
                    // With one partition per shuffle, both paths list keys in first-seen order; otherwise they are
                    // hash-partitioned and only the multisets are specified.
                    Assert.Equal(Records.Sequences(expected), Records.Sequences(actual));
                }
            },
            seed: Seed,
            iter: 15,
            threads: 1);

    private static Assembly CompileAndLoad(string source)
    {
        var compilation = GeneratorHarness.Compile(source);
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        Assert.Empty(generatorDiagnostics);
        var generated = output.SyntaxTrees.Last().ToString();
        Assert.DoesNotContain("runs interpreted", generated, StringComparison.OrdinalIgnoreCase);
        using var stream = new MemoryStream();
        var emitted = output.Emit(stream);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        Assert.Empty(emitted.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning && GeneratorHarness.InGenerated(d)));
        return Assembly.Load(stream.ToArray());
    }
}
