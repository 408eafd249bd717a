using System.Diagnostics;
using BenchmarkDotNet.Running;

namespace Pipelines.Generators.Benchmarks;

/// <summary>
/// BenchmarkDotNet's switcher: <c>dotnet run -c Release --project benchmarks/Pipelines.Generators.Benchmarks -- --filter '*'</c>.
/// <c>--dump-all DIR</c> writes every generated file (to diff two builds of the generator);
/// <c>--timing</c> prints the driver's own per-generator timing for a cold run and both edits (a quick look, not a benchmark).
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static void Main(string[] args)
    {
        if (args is ["--dump"])
        {
            var run = GeneratorDriverBenchmarks.NewDriver().RunGenerators(Corpus.Compile(Corpus.Sources())).GetRunResult().Results.Single();
            Console.WriteLine(run.GeneratedSources[7].SourceText);
            Console.WriteLine(run.GeneratedSources.Sum(s => s.SourceText.Length));
            return;
        }

        if (args is ["--dump-all", var directory])
        {
            // Every generated file, to compare two builds of the generator byte for byte (diff -r).
            var all = GeneratorDriverBenchmarks.NewDriver().RunGenerators(Corpus.Compile(Corpus.Sources())).GetRunResult().Results.Single();
            Directory.CreateDirectory(directory);
            foreach (var source in all.GeneratedSources)
            {
                File.WriteAllText(Path.Combine(directory, source.HintName), source.SourceText.ToString());
            }

            return;
        }

        if (args is ["--cold-loop"])
        {
            var compilation = Corpus.Compile(Corpus.Sources());
            for (var i = 0; i < 6; i++)
            {
                GeneratorDriverBenchmarks.NewDriver().RunGenerators(compilation.Clone());
            }

            return;
        }

        if (args is ["--timing"])
        {
            Timing();
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }

    private static void Timing()
    {
        var compilation = Corpus.Compile(Corpus.Sources());
        for (var round = 0; round < 5; round++)
        {
            var cold = GeneratorDriverBenchmarks.NewDriver().RunGenerators(compilation.Clone());
            GeneratorDriverBenchmarks.Check(cold);
            var unrelated = Measure(cold, Corpus.EditUnrelated(compilation, round + 1));
            var lambda = Measure(cold, Corpus.EditLambda(compilation, round + 1));
            var compile = new CompileBenchmarks();
            compile.Setup();
            var watch = Stopwatch.StartNew();
            compile.WithoutGenerator();
            var without = watch.Elapsed.TotalMilliseconds;
            watch.Restart();
            compile.WithGeneratedSources();
            var generatedSources = watch.Elapsed.TotalMilliseconds;
            watch.Restart();
            compile.WithGenerator();
            var with = watch.Elapsed.TotalMilliseconds;
            Console.WriteLine(
                $"cold {cold.GetTimingInfo().ElapsedTime.TotalMilliseconds:F1} ms, unrelated edit {unrelated:F1} ms, lambda edit {lambda:F1} ms; "
                + $"compile without {without:F0} ms, with generated sources {generatedSources:F0} ms, with generator {with:F0} ms "
                + $"(generator's share {(with - generatedSources) / with:P0})");
        }

        static double Measure(Microsoft.CodeAnalysis.GeneratorDriver warm, Microsoft.CodeAnalysis.Compilation edited)
        {
            var watch = Stopwatch.StartNew();
            warm.RunGenerators(edited);
            return watch.Elapsed.TotalMilliseconds;
        }
    }
}
