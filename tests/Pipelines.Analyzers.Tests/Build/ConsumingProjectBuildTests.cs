using Pipelines.TestKit;

namespace Pipelines.Analyzers.Tests.Build;

/// <summary>
/// The analyzers outside the test harness: a small console project is written to a temp folder, referencing
/// the runtime assembly and loading <c>Pipelines.Analyzers.dll</c> as an analyzer (as the NuGet package does),
/// and built with a plain <c>dotnet build</c>. The diagnostics must appear in the build output.
/// </summary>
public sealed class ConsumingProjectBuildTests : IDisposable
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(4);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pipelines-analyzers-" + Guid.NewGuid().ToString("N"));

    public ConsumingProjectBuildTests() => Directory.CreateDirectory(_directory);

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
    public async Task Dotnet_build_of_a_consuming_project_reports_the_diagnostics()
    {
        WriteProject();

        var (exitCode, output) = await RunDotnetBuildAsync();

        // The errors fail the build, as they would fail the user's.
        Assert.NotEqual(0, exitCode);
        Assert.False(output.Contains("error CS", StringComparison.Ordinal), "The consuming project must compile apart from the PIPE errors:\n" + output);
        AssertReported(output, "Program.cs(3,41): error PIPE001");
        AssertReported(output, "Program.cs(5,87): warning PIPE002");
        AssertReported(output, "Program.cs(15,22): error PIPE003");
        AssertReported(output, "Program.cs(30,9): warning PIPE004");
        AssertReported(output, "Program.cs(16,9): warning PIPE005");
        AssertReported(output, "Program.cs(17,28): warning PIPE006");
        AssertReported(output, "Program.cs(18,26): warning PIPE007");
        AssertReported(output, "Program.cs(19,49): warning PIPE008");
        AssertReported(output, "Program.cs(20,15): warning PIPE009"); // raised from Info by .editorconfig
        AssertReported(output, "Program.cs(23,15): error PIPE010");
        AssertReported(output, "Program.cs(20,15): warning PIPE011"); // raised from Info by .editorconfig
        AssertReported(output, BuildInfo.HelpLinkBase + "PIPE003.md"); // PipelinesHelpLinkBase, Directory.Build.props

        // The SDK's compiler (Roslyn 5.x) lists more symbols as captured than the 4.x the unit tests load: under
        // #nullable enable a block lambda's own locals and parameters, and the parameters nested lambdas read.
        // Only the nested lambda that really reads the outer lambda's parameter is a capture.
        AssertReported(output, "Blocks.cs(7,151): warning PIPE002");
        var blockWarnings = output.Split('\n').Where(line => line.Contains("Blocks.cs(", StringComparison.Ordinal) && line.Contains("PIPE002", StringComparison.Ordinal)).Distinct().ToArray();
        Assert.True(blockWarnings.Length == 1, "Only the capturing nested lambda may be reported:\n" + string.Join('\n', blockWarnings));
    }

    private static void AssertReported(string output, string expected) =>
        Assert.True(output.Contains(expected, StringComparison.Ordinal), $"'{expected}' is missing from the build output:\n{output}");

    private void WriteProject()
    {
        var runtime = typeof(Pipelines.DStream).Assembly.Location;
        var logging = typeof(Microsoft.Extensions.Logging.ILoggerFactory).Assembly.Location;
        var analyzer = typeof(DiagnosticDescriptors).Assembly.Location;
        File.WriteAllText(Path.Combine(_directory, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>disable</ImplicitUsings>
                <UseSharedCompilation>false</UseSharedCompilation>
              </PropertyGroup>
              <ItemGroup>
                <Reference Include="{runtime}" />
                <Reference Include="{logging}" />
                <Analyzer Include="{analyzer}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(_directory, ".editorconfig"), """
            root = true

            [*.cs]
            dotnet_diagnostic.PIPE009.severity = warning
            dotnet_diagnostic.PIPE011.severity = warning
            """);
        File.WriteAllText(Path.Combine(_directory, "Blocks.cs"), """
            using Pipelines;

            [StreamingPipeline] public static partial class Blocks
            {
                public static DStream<string> DefineTrimmed(DStream<string> lines) => lines.Map(line => { var x = line.Trim(); return x; });
                public static DStream<int> DefineWords(DStream<string> lines) => lines.Map(line => System.Linq.Enumerable.Count(line.Split(' '), w => w.Length > 0));
                public static DStream<int> DefineLonger(DStream<string> lines) => lines.Map(line => System.Linq.Enumerable.Count(line.Split(' '), w => w.Length > line.Length));
            }
            """);
        File.WriteAllText(Path.Combine(_directory, "Program.cs"), """
            using Pipelines;

            [StreamingPipeline] public static class Scaling
            {
                public static DStream<int> Define(DStream<int> xs, int factor) => xs.Map(x => x * factor);
            }

            public static class Program
            {
                public static void Main()
                {
                    var ssc = new StreamingContext(System.TimeSpan.FromSeconds(2));
                    var lines = ssc.QueueStream(new[] { new[] { "a b" } });
                    var pairs = lines.Map(l => (l, 1));
                    lines.Window(System.TimeSpan.FromSeconds(3)).Print();
                    lines.Filter(l => l.Length > 0);
                    lines.Map(l => l + System.DateTime.Now).Print();
                    lines.Map(l => { System.Threading.Thread.Sleep(1); return l; }).Print();
                    lines.Map(l => (new[] { l.Length }, 1)).ReduceByKey((a, b) => a + b).Print();
                    pairs.ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, System.TimeSpan.FromSeconds(4)).Print();
                    lines.Print();
                    ssc.Start();
                    lines.Map(l => l.Length).Print();
                }

                public static void NoOutputs()
                {
                    var ssc = new StreamingContext(System.TimeSpan.FromSeconds(1));
                    var lengths = ssc.QueueStream(new[] { new[] { "a" } }).Map(l => l.Length);
                    ssc.Start();
                }
            }
            """);
    }

    private Task<(int ExitCode, string Output)> RunDotnetBuildAsync() =>
        DotNetCli.RunAsync(_directory, BuildTimeout, "build", "-nologo", "-nodeReuse:false", "-clp:NoSummary", "-v:q");
}
