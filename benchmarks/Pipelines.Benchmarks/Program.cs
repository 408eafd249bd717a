using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace Pipelines.Benchmarks;

/// <summary>
/// The benchmark program. With no special flag it is BenchmarkDotNet's switcher (pass <c>--filter '*'</c> and
/// any BenchmarkDotNet option). <c>--quick</c> runs every benchmark once with BenchmarkDotNet's dry job (each
/// setup also checks that every contender agrees).
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        if (args.Contains("--quick"))
        {
            var rest = args.Where(a => a != "--quick").ToArray();
            var config = DefaultConfig.Instance.AddJob(Job.Dry.WithId("Quick")).WithOptions(ConfigOptions.DisableOptimizationsValidator);
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest.Length == 0 ? ["--filter", "*"] : rest, config);
            return 0;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
