namespace Pipelines.Generators.Tests;

/// <summary>
/// The pipeline classes in <c>Compiled/</c> are compiled by the generator inside this project's own build, that is
/// by the SDK's compiler (Roslyn 5.x), not by the 4.14 assemblies the other tests load. A definition that falls back
/// would still pass the differential tests (it runs <c>Define…</c>), so this reads the generated files the build kept
/// (<c>EmitCompilerGeneratedFiles</c>) and fails on any <c>Compile…</c> that runs interpreted by mistake.
/// </summary>
public sealed class SdkCompiledDefinitionsTests
{
    /// <summary>The definitions that fall back on purpose.</summary>
    private static readonly string[] ExpectedFallbacks = ["FallbackPipelines.CompileCapture", "FallbackPipelines.CompileDelegateField"];

    [Fact]
    public void Every_definition_in_Compiled_is_compiled_by_the_SDK_compiler()
    {
        var generated = GeneratedFiles();
        Assert.NotEmpty(generated);
        var interpreted = new List<string>();
        foreach (var file in generated)
        {
            var className = Path.GetFileName(file).Split('.')[^4];
            string? method = null;
            foreach (var line in File.ReadLines(file))
            {
                if (line.Contains("Runs interpreted", StringComparison.Ordinal))
                {
                    method = "pending";
                }

                if (method == "pending" && line.TrimStart().StartsWith("public static ", StringComparison.Ordinal))
                {
                    var name = line.Substring(line.IndexOf(" Compile", StringComparison.Ordinal) + 1);
                    interpreted.Add(className + "." + name.Substring(0, name.IndexOf('(')));
                    method = null;
                }
            }
        }

        Assert.Equal(ExpectedFallbacks, interpreted.Order(StringComparer.Ordinal));
    }

    private static string[] GeneratedFiles([System.Runtime.CompilerServices.CallerFilePath] string thisFile = "")
    {
        var folder = Path.Combine(Path.GetDirectoryName(thisFile)!, "obj", "Generated", "Pipelines.Generators", "Pipelines.Generators.PipelineGenerator");
        return Directory.Exists(folder) ? Directory.GetFiles(folder, "*.g.cs") : [];
    }
}
