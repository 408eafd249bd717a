using Pipelines.Generators.Tests.Support;
using Pipelines.TestKit;

namespace Pipelines.Generators.Tests.Build;

/// <summary>
/// The generator and the analyzers with the compiler users have: a consuming project holding every pipeline class
/// of <c>Compiled/</c> (plus a few shapes that once broke the build) and <c>DifferentialProgram.cs.txt</c> is written
/// to a temp folder with <c>&lt;Nullable&gt;enable&lt;/Nullable&gt;</c>, built by a plain <c>dotnet build</c> (the SDK's
/// Roslyn loads both as analyzers, as the NuGet package does) and run. One build and one run for everything:
/// <list type="bullet">
/// <item>the build succeeds and reports only the diagnostics expected here (no PIPE002 for a lambda that captures nothing);</item>
/// <item>the SDK's generated files equal what the generator gives in-process on the Roslyn the unit tests load (the snapshots' compiler), so no Roslyn-version difference hides;</item>
/// <item>no definition silently runs interpreted;</item>
/// <item>the program runs every <c>Define…</c> against its <c>Compile…</c> on seeded batches, one and two partitions, and all agree.</item>
/// </list>
/// </summary>
public sealed class SdkBuildTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(6);

    /// <summary>Shapes that are reported on purpose (and once broke the build).</summary>
    private const string Extra = """
        namespace Pipelines.Generators.Tests.Compiled;

        [StreamingPipeline]
        public static partial class ExtraPipelines
        {
            /// <summary>A multi-line expression quoted in a PIPE102 reason (it once ended the generated comment).</summary>
            public static DStream<int> DefinePicked(DStream<int> numbers) =>
                (numbers.SlideDuration.Ticks < 0
                    ? numbers
                    : Identity<int>(numbers)).Map(n => n & 1);

            /// <summary>A single windowed operator: handed to the runtime.</summary>
            public static DStream<int> DefineOnlyWindow(DStream<int> numbers) =>
                numbers.Window(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1));

            private static DStream<T> Identity<T>(DStream<T> stream) => stream;
        }
        """;

    private static readonly string[] ExpectedDiagnostics =
    [
        "ExtraPipelines.cs(8,10): warning PIPE102",
        "FallbackPipelines.cs(8,92): warning PIPE002",
    ];

    private static readonly string[] ExpectedFallbacks = ["DefineCapture", "DefinePicked"];

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pipelines-generator-build-" + Guid.NewGuid().ToString("N"));

    public SdkBuildTests() => Directory.CreateDirectory(_directory);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A build server may still hold a file for a moment; the OS cleans the temp folder.
        }
    }

    [Fact]
    public async Task Dotnet_build_with_the_SDK_compiler_generates_what_the_tests_see_and_every_definition_agrees_with_its_interpreted_path()
    {
        var sources = WriteProject();

        var (buildExit, buildOutput) = await RunDotnetAsync("build", "-nologo", "-nodeReuse:false", "-clp:NoSummary", "-v:q", "-p:UseSharedCompilation=false");

        Assert.True(buildExit == 0, "dotnet build failed:\n" + buildOutput);
        var reported = buildOutput.Split('\n')
            .Where(l => l.Contains(": warning ", StringComparison.Ordinal) || l.Contains(": error ", StringComparison.Ordinal))
            .Where(l => !l.Contains("NU1603", StringComparison.Ordinal))
            .Select(l => l.Trim())
            .Distinct()
            .ToArray();
        Assert.True(reported.Length == ExpectedDiagnostics.Length && ExpectedDiagnostics.All(e => reported.Any(r => r.Contains(e, StringComparison.Ordinal))),
            "Expected only:\n" + string.Join("\n", ExpectedDiagnostics) + "\nbut the build reported:\n" + string.Join("\n", reported));

        // The SDK compiler's generated files equal the in-process generator's (the Roslyn the snapshot tests load).
        var folder = Path.Combine(_directory, "obj", "Generated", "Pipelines.Generators", "Pipelines.Generators.PipelineGenerator");
        var sdk = Directory.GetFiles(folder, "*.g.cs").ToDictionary(f => Path.GetFileName(f), f => File.ReadAllText(f).Replace("\r\n", "\n"), StringComparer.Ordinal);
        var (result, _) = GeneratorHarness.Run([.. sources]);
        var inProcess = result.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString().Replace("\r\n", "\n"), StringComparer.Ordinal);
        Assert.Equal(inProcess.Keys.Order(StringComparer.Ordinal), sdk.Keys.Order(StringComparer.Ordinal));
        foreach (var (hint, text) in inProcess)
        {
            Assert.True(text == sdk[hint], $"{hint}: the SDK compiler generated different code than Roslyn {typeof(Microsoft.CodeAnalysis.Compilation).Assembly.GetName().Version} in-process:\n{FirstDifference(text, sdk[hint])}");
        }

        var fallbacks = sdk.Values.SelectMany(t => t.Split('\n'))
            .Where(l => l.Contains("Runs interpreted (calls <c>", StringComparison.Ordinal))
            .Select(l => l.Substring(l.IndexOf("<c>", StringComparison.Ordinal) + 3).Split('<')[0])
            .Order(StringComparer.Ordinal);
        Assert.Equal(ExpectedFallbacks, fallbacks);

        var program = Path.Combine(_directory, "bin", "Debug", "net10.0", "Consumer.dll");
        var (runExit, runOutput) = await RunDotnetAsync(program);
        Assert.True(runExit == 0 && runOutput.Contains("VERDICT ok", StringComparison.Ordinal), "Define… and Compile… disagree:\n" + runOutput);
        Assert.Contains("SKIPPED \n", runOutput.Replace("\r\n", "\n"), StringComparison.Ordinal);
    }

    private static string FirstDifference(string expected, string actual)
    {
        var left = expected.Split('\n');
        var right = actual.Split('\n');
        for (var i = 0; i < Math.Min(left.Length, right.Length); i++)
        {
            if (left[i] != right[i])
            {
                return $"line {i + 1}:\n  in-process: {left[i]}\n  SDK:        {right[i]}";
            }
        }

        return $"lengths differ: {left.Length} / {right.Length} lines";
    }

    /// <summary>Writes the consuming project; returns its pipeline sources (for the in-process comparison).</summary>
    private List<string> WriteProject([System.Runtime.CompilerServices.CallerFilePath] string thisFile = "")
    {
        var tests = Path.GetDirectoryName(Path.GetDirectoryName(thisFile))!;
        var runtime = typeof(DStream<>).Assembly.Location;
        var references = new[]
        {
            runtime,
            typeof(Microsoft.Extensions.Logging.ILoggerFactory).Assembly.Location,
            typeof(System.IO.Hashing.Crc32).Assembly.Location,
        };
        var analyzers = new[]
        {
            typeof(PipelineGenerator).Assembly.Location,
            typeof(Pipelines.Analyzers.Definitions.CapturingLambdaAnalyzer).Assembly.Location,
        };
        File.WriteAllText(Path.Combine(_directory, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
                <CompilerGeneratedFilesOutputPath>$(BaseIntermediateOutputPath)Generated</CompilerGeneratedFilesOutputPath>
                <GenerateDocumentationFile>false</GenerateDocumentationFile>
              </PropertyGroup>
              <ItemGroup>
            {string.Concat(references.Select(r => $"    <Reference Include=\"{r}\" />\n"))}{string.Concat(analyzers.Select(a => $"    <Analyzer Include=\"{a}\" />\n"))}  </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(_directory, "Program.cs"), File.ReadAllText(Path.Combine(tests, "Build", "DifferentialProgram.cs.txt")));

        var sources = new List<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(tests, "Compiled"), "*.cs").Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(file);
            File.WriteAllText(Path.Combine(_directory, Path.GetFileName(file)), text);
            sources.Add(text);
        }

        File.WriteAllText(Path.Combine(_directory, "ExtraPipelines.cs"), Extra);
        sources.Add(Extra);
        return sources;
    }

    private Task<(int ExitCode, string Output)> RunDotnetAsync(params string[] arguments) => DotNetCli.RunAsync(_directory, Timeout, arguments);
}
