using BenchmarkDotNet.Running;

namespace Pipelines.Kafka.Benchmarks;

/// <summary>BenchmarkDotNet's switcher: <c>dotnet run -c Release --project benchmarks/Pipelines.Kafka.Benchmarks -- --filter '*' --job short</c>.</summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
