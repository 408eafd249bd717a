using System.IO;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Pipelines.Generators.Benchmarks;

/// <summary>
/// The generator through a <see cref="GeneratorDriver"/> over <see cref="Corpus"/> (150 definitions): a cold run (a
/// new generator, as a fresh build), and one run after an edit in an unrelated file or in one lambda of one
/// definition, as an IDE runs the driver on every keystroke. Each edit is new text (a counter), so nothing is
/// measured against a tree the driver has seen.
/// </summary>
[MemoryDiagnoser]
public class GeneratorDriverBenchmarks
{
    private CSharpCompilation _compilation = null!;
    private GeneratorDriver _warm = null!;
    private CSharpCompilation _edited = null!;
    private int _version;

    /// <summary>Parses the corpus and runs the generator once, as the IDE did before the keystroke.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _compilation = Corpus.Compile(Corpus.Sources());
        _warm = NewDriver().RunGenerators(_compilation);
        Check(_warm);
    }

    /// <summary>A new edit of the unrelated file.</summary>
    [IterationSetup(Target = nameof(UnrelatedEdit))]
    public void NextUnrelatedEdit() => _edited = Corpus.EditUnrelated(_compilation, ++_version);

    /// <summary>A new edit of one lambda.</summary>
    [IterationSetup(Target = nameof(LambdaEdit))]
    public void NextLambdaEdit() => _edited = Corpus.EditLambda(_compilation, ++_version);

    /// <summary>A new compilation of the same trees, so nothing is bound yet.</summary>
    [IterationSetup(Target = nameof(Cold))]
    public void NextCold() => _edited = _compilation.Clone();

    /// <summary>A new generator over a new compilation: everything is read, planned and emitted.</summary>
    [Benchmark(Baseline = true)]
    public GeneratorDriver Cold() => NewDriver().RunGenerators(_edited);

    /// <summary>The warm driver after a method body of an ordinary class changed.</summary>
    [Benchmark]
    public GeneratorDriver UnrelatedEdit() => _warm.RunGenerators(_edited);

    /// <summary>The warm driver after one lambda of one definition changed.</summary>
    [Benchmark]
    public GeneratorDriver LambdaEdit() => _warm.RunGenerators(_edited);

    internal static GeneratorDriver NewDriver() =>
        CSharpGeneratorDriver.Create([new PipelineGenerator().AsSourceGenerator()], parseOptions: Corpus.ParseOptions);

    /// <summary>Throws unless the generator compiled every class.</summary>
    internal static void Check(GeneratorDriver driver)
    {
        var result = driver.GetRunResult().Results.Single();
        if (result.Exception is not null || result.GeneratedSources.Length != Corpus.ClassCount)
        {
            throw new InvalidOperationException($"expected {Corpus.ClassCount} generated files, got {result.GeneratedSources.Length} ({result.Exception?.Message})");
        }
    }
}

/// <summary>
/// The whole compile (parse, bind, emit to memory) of <see cref="Corpus"/>: without the generator, with it, and with
/// its output added as ordinary source files instead (the same code to compile, no generator run). The generator's
/// own share of a cold build is (with − with generated sources) ÷ with; (with − without) ÷ with also counts compiling
/// the code it generates.
/// </summary>
[MemoryDiagnoser]
public class CompileBenchmarks
{
    private IReadOnlyList<(string Path, string Text)> _sources = null!;
    private IReadOnlyList<(string Path, string Text)> _withGenerated = null!;

    /// <summary>Generates the corpus's files once and checks that every compile succeeds.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _sources = Corpus.Sources();
        var run = GeneratorDriverBenchmarks.NewDriver().RunGenerators(Corpus.Compile(_sources)).GetRunResult().Results.Single();
        _withGenerated = [.. _sources, .. run.GeneratedSources.Select(s => ("Generated/" + s.HintName, s.SourceText.ToString()))];
        _ = WithoutGenerator();
        _ = WithGenerator();
        _ = WithGeneratedSources();
    }

    /// <summary>Parse, bind and emit the user's code only.</summary>
    [Benchmark(Baseline = true)]
    public long WithoutGenerator() => Emit(Corpus.Compile(_sources));

    /// <summary>Parse, bind and emit the user's code and, as ordinary files, the code the generator makes of it.</summary>
    [Benchmark]
    public long WithGeneratedSources() => Emit(Corpus.Compile(_withGenerated));

    /// <summary>Parse, run the generator, bind and emit the user's and the generated code.</summary>
    [Benchmark]
    public long WithGenerator()
    {
        var driver = GeneratorDriverBenchmarks.NewDriver().RunGeneratorsAndUpdateCompilation(Corpus.Compile(_sources), out var output, out _);
        GeneratorDriverBenchmarks.Check(driver);
        return Emit(output);
    }

    private static long Emit(Microsoft.CodeAnalysis.Compilation compilation)
    {
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        if (!result.Success)
        {
            throw new InvalidOperationException(string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(5)));
        }

        return stream.Length;
    }
}
